-- MeshHook core schema: projects (tenants), workflow definitions (DAGs), durable workflow runs, worker heartbeats.
-- gen_random_uuid() is core PostgreSQL (13+): no pgcrypto needed, so this also runs on PGlite.

create table public.projects (
  id         uuid primary key default gen_random_uuid(),
  owner_id   uuid not null,
  name       text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
create index projects_owner_id_idx on public.projects (owner_id);

create table public.workflow_definitions (
  id         uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name       text not null check (length(name) between 1 and 200),
  -- {"nodes": [{"id": "a", "type": "..."}], "edges": [{"from": "a", "to": "b"}]}
  dag        jsonb not null default '{"nodes": [], "edges": []}'::jsonb check (jsonb_typeof(dag) = 'object'),
  version    integer not null default 1 check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- lets workflow_runs prove its workflow belongs to the same project (no cross-tenant references)
  unique (id, project_id)
);
create index workflow_definitions_project_id_idx on public.workflow_definitions (project_id);

create table public.workflow_runs (
  id          uuid primary key default gen_random_uuid(),
  project_id  uuid not null references public.projects (id) on delete cascade,
  workflow_id uuid not null,
  status      text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  payload     jsonb not null default '{}'::jsonb,
  result      jsonb,
  error       text,
  claimed_by  text,
  created_at  timestamptz not null default now(),
  started_at  timestamptz,
  finished_at timestamptz,
  foreign key (workflow_id, project_id) references public.workflow_definitions (id, project_id) on delete cascade
);
create index workflow_runs_project_id_idx on public.workflow_runs (project_id, created_at desc);
create index workflow_runs_workflow_id_idx on public.workflow_runs (workflow_id);
-- the workers' claim query: oldest queued run first
create index workflow_runs_queued_idx on public.workflow_runs (created_at) where status = 'queued';

-- One row per live worker process, upserted every few seconds; /health judges workers by the newest beat.
create table public.worker_heartbeats (
  worker_id  text primary key,
  release    text not null,
  beat_at    timestamptz not null default now(),
  started_at timestamptz not null default now()
);

-- Privileges (on Supabase the default privileges already grant these; repeating them is harmless).
grant usage on schema public to anon, authenticated, service_role;
grant select, insert, update, delete on public.projects, public.workflow_definitions, public.workflow_runs
  to authenticated, service_role;
grant select, insert, update, delete on public.worker_heartbeats to service_role;
