locals {
  # e.g. meshhook-staging; globally unique names add the suffix and drop the dashes where Azure requires it.
  base_name    = "${var.name_prefix}-${var.environment}"
  compact_name = "${var.name_prefix}${substr(var.environment, 0, 4)}${var.unique_suffix}"

  names = {
    resource_group     = "rg-${local.base_name}"
    log_analytics      = "log-${local.base_name}"
    apps_environment   = "cae-${local.base_name}"
    registry           = "cr${local.compact_name}"
    key_vault          = "kv-${local.compact_name}"
    deployment_storage = "st${local.compact_name}"
    web_app            = "ca-${local.base_name}-web"
    workers_app        = "ca-${local.base_name}-workers"
    pull_identity      = "id-${local.base_name}-pull"
    secrets_identity   = "id-${local.base_name}-secrets"
    deploy_identity    = "id-${local.base_name}-deploy"
  }

  tags = merge(var.tags, {
    application = "meshhook"
    environment = var.environment
    managed-by  = "terraform"
  })

  # The only GitHub Actions job that may sign in as this environment's deploy identity.
  deploy_subject = "${var.github_oidc_subject_prefix}:environment:${var.environment}"
}
