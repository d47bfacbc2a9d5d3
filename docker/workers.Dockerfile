# The workers image of a release: worker.mjs, lib/ and production node_modules, exactly as packaged in the release's
# workers.tar.gz. BuildImages makes the build context from the release (checksums verified), never from the working
# tree: <context>/app is the extracted artifact, <context>/Dockerfile a copy of this file.
#
# The base image is pinned by digest in ONE place, docker/base-image.txt, which BuildImages passes as NODE_IMAGE (both
# images, docker build and az acr build alike). No default here, so a build that forgets it fails instead of drifting.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}

# Metadata only (OCI labels, the release id /health reports): none of these is a secret. Secrets (DATABASE_URL) reach
# the container as environment variables of its Container App revision, never through the image.
ARG NODE_IMAGE
ARG RELEASE_ID
ARG RELEASE_VERSION
ARG RELEASE_COMMIT
ARG RELEASE_CREATED
ARG SOURCE_URL
LABEL org.opencontainers.image.title="meshhook-workers" \
      org.opencontainers.image.description="MeshHook workers (Node)" \
      org.opencontainers.image.version="${RELEASE_VERSION}" \
      org.opencontainers.image.revision="${RELEASE_COMMIT}" \
      org.opencontainers.image.created="${RELEASE_CREATED}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}" \
      io.meshhook.release="${RELEASE_ID}"

# The worker's /health listens on all interfaces so the platform's probes reach it (infra/main.tf sets the same).
ENV NODE_ENV=production \
    WORKER_HEALTH_HOST=0.0.0.0 \
    WORKER_HEALTH_PORT=8081 \
    MESHHOOK_RELEASE=${RELEASE_ID}

WORKDIR /app
# Owned by root: the app's user (node) reads its code but cannot change it.
COPY app/ ./

USER node
EXPOSE 8081
# Slim images have no curl: Node's own fetch asks the worker's /health.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_HEALTH_PORT || 8081) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# As the local target runs it (src/MeshHook.Deployment/Targets/Local/LocalPlanner.cs).
CMD ["node", "worker.mjs"]
