-- MeshHook: Supabase compatibility shim.
--
-- On Supabase this migration changes nothing: the `auth` schema, `auth.uid()` and the roles `anon`, `authenticated`
-- and `service_role` already exist, and every statement below only creates what is missing.
-- On plain PostgreSQL (CI, local throwaway clusters) and PGlite it provides the same names with Supabase's
-- semantics, so the RLS policies of the following migrations behave identically everywhere:
--   auth.uid() = the `sub` claim of the request JWT, taken from `request.jwt.claim.sub` or `request.jwt.claims`.

do $$
begin
  -- (equivalent to `create schema if not exists auth`, but without needing CREATE on the database when it exists)
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    create schema auth;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    -- like Supabase's: the backend role that bypasses row-level security
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

do $$
begin
  if not exists (
    select 1
      from pg_proc p
      join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'auth' and p.proname = 'uid'
  ) then
    execute $fn$
      create function auth.uid() returns uuid
      language sql stable
      as $body$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $body$
    $fn$;
    -- only when we created it; on Supabase these grants already exist
    execute 'grant usage on schema auth to anon, authenticated, service_role';
    execute 'grant execute on function auth.uid() to anon, authenticated, service_role';
  end if;
end
$$;
