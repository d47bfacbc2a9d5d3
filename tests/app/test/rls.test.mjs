// Tenant isolation through row-level security, on a REAL throwaway PostgreSQL 15 cluster with the migrations applied.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyMigrations, connect, startCluster } from '../lib/db.mjs';
import { assertTenantIsolation } from '../lib/tenant-isolation.mjs';

describe('RLS on PostgreSQL 15', () => {
	let cluster;
	let client;

	before(async () => {
		cluster = await startCluster(); // fails the test (never skips) when PostgreSQL cannot be started
		client = await connect(cluster.url());
		await applyMigrations(client);
	});

	after(async () => {
		await client?.end().catch(() => {});
		await cluster?.stop();
	});

	it('RLS is enabled on every table with a policy per tenant table', async () => {
		const { rows } = await client.query(
			`select c.relname, c.relrowsecurity as rls, count(p.polname)::int as policies
			   from pg_class c join pg_namespace n on n.oid = c.relnamespace
			   left join pg_policy p on p.polrelid = c.oid
			  where n.nspname = 'public' and c.relkind = 'r'
			  group by 1, 2 order by 1`
		);
		assert.deepEqual(rows, [
			{ relname: 'projects', rls: true, policies: 4 },
			{ relname: 'worker_heartbeats', rls: true, policies: 0 },
			{ relname: 'workflow_definitions', rls: true, policies: 1 },
			{ relname: 'workflow_runs', rls: true, policies: 1 }
		]);
		const fn = (await client.query("select prosecdef, proconfig from pg_proc where proname = 'is_project_owner'")).rows[0];
		assert.equal(fn.prosecdef, true, 'is_project_owner is security definer');
		assert.deepEqual(fn.proconfig, ['search_path=public']);
	});

	it('tenant A cannot read or write tenant B, and can use its own project', async () => {
		await assertTenantIsolation(client);
	});
});
