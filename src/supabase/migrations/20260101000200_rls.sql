-- MeshHook row-level security: a tenant (auth.uid()) sees and changes only rows of projects it owns.
-- Tenant tables carry project_id; their policies go through one security definer helper, so the check reads
-- projects as the function owner (no recursive RLS) and cannot be redirected through search_path.

create or replace function public.is_project_owner(p_project_id uuid)
returns boolean
language sql
stable
security definer
set search_path = public
as $$
  select exists (
    select 1 from public.projects p
     where p.id = p_project_id
       and p.owner_id = auth.uid()
  )
$$;
revoke all on function public.is_project_owner(uuid) from public;
grant execute on function public.is_project_owner(uuid) to anon, authenticated, service_role;

alter table public.projects             enable row level security;
alter table public.workflow_definitions enable row level security;
alter table public.workflow_runs        enable row level security;
-- not a tenant table: no policy at all, so only the service role / table owner (the workers) can use it
alter table public.worker_heartbeats    enable row level security;

create policy projects_select_own on public.projects
  for select to authenticated using (owner_id = auth.uid());
create policy projects_insert_own on public.projects
  for insert to authenticated with check (owner_id = auth.uid());
create policy projects_update_own on public.projects
  for update to authenticated using (owner_id = auth.uid()) with check (owner_id = auth.uid());
create policy projects_delete_own on public.projects
  for delete to authenticated using (owner_id = auth.uid());

create policy workflow_definitions_owner_all on public.workflow_definitions
  for all to authenticated
  using (public.is_project_owner(project_id))
  with check (public.is_project_owner(project_id));

create policy workflow_runs_owner_all on public.workflow_runs
  for all to authenticated
  using (public.is_project_owner(project_id))
  with check (public.is_project_owner(project_id));
