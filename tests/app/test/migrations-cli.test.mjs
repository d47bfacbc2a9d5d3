// The Supabase CLI applies src/supabase/migrations as deployments do (`supabase db push --db-url ... --workdir src`),
// on PostgreSQL 15 and on PGlite, keeping history in supabase_migrations.schema_migrations; the schema it leaves
// enforces tenant isolation on both. The auth shim is a no-op where Supabase's auth already exists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, listMigrations, startCluster } from '../lib/db.mjs';
import { startPglite } from '../lib/pglite.mjs';
import { dbPush, migrationList } from '../lib/supabase-cli.mjs';
import { assertTenantIsolation } from '../lib/tenant-isolation.mjs';

const expectedVersions = listMigrations().map((m) => m.version);

async function history(client) {
	return (await client.query('select version, name from supabase_migrations.schema_migrations order by version')).rows;
}

function assertPushed(r) {
	assert.equal(r.code, 0, `supabase db push failed:\n${r.stdout}\n${r.stderr}`);
}

describe('supabase db push on PostgreSQL 15', () => {
	let cluster;
	let client;
	// with a password, as deployments pass it (the throwaway cluster trusts every local connection anyway)
	const url = (db = 'postgres') => cluster.url(db).replace('postgres@', 'postgres:postgres@');

	before(async () => {
		cluster = await startCluster();
		client = await connect(cluster.url());
	});
	after(async () => {
		await client?.end().catch(() => {});
		await cluster?.stop();
	});

	it('applies every migration once, records history, and a second push changes nothing', async () => {
		assert.ok(expectedVersions.length >= 3, 'migrations found');
		const first = await dbPush(url());
		assertPushed(first);
		for (const m of listMigrations()) assert.match(first.stdout + first.stderr, new RegExp(`${m.version}_${m.name}`));
		assert.deepEqual((await history(client)).map((r) => r.version), expectedVersions);

		const second = await dbPush(url());
		assertPushed(second);
		assert.match(second.stdout + second.stderr, /up to date/i);
		assert.deepEqual((await history(client)).map((r) => r.version), expectedVersions);

		const list = await migrationList(url());
		assert.equal(list.code, 0, list.stderr);
		for (const v of expectedVersions) assert.match(list.stdout, new RegExp(`${v}.*\\|.*${v}`), `local and remote ${v}`);
	});

	it('the pushed schema isolates tenants', async () => {
		await assertTenantIsolation(client);
	});

	it("the auth shim leaves an existing Supabase auth.uid() alone", async () => {
		await client.query('create database supabase_like');
		const db = await connect(cluster.url('supabase_like'));
		try {
			// what a Supabase database already has before our first migration (the roles are cluster-wide and exist)
			await db.query(`create schema auth;
				create function auth.uid() returns uuid language sql stable
				  as $$ select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
				          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
				comment on function auth.uid() is 'supabase original';
				grant usage on schema auth to anon, authenticated, service_role;`);
			assertPushed(await dbPush(url('supabase_like')));
			const fn = (await db.query(
				"select count(*)::int as n, max(obj_description(p.oid, 'pg_proc')) as comment from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'uid'"
			)).rows[0];
			assert.deepEqual(fn, { n: 1, comment: 'supabase original' });
			await assertTenantIsolation(db);
		} finally {
			await db.end();
		}
	});
});

describe('supabase db push on PGlite', () => {
	let pglite;
	let client;

	before(async () => {
		pglite = await startPglite();
	});
	after(async () => {
		await client?.end().catch(() => {});
		await pglite?.stop();
	});

	it('applies every migration and records history', async () => {
		assertPushed(await dbPush(pglite.url()));
		client = await connect(pglite.url());
		assert.deepEqual((await history(client)).map((r) => r.version), expectedVersions);
		const second = await dbPush(pglite.url());
		assertPushed(second);
		assert.match(second.stdout + second.stderr, /up to date/i);
	});

	it('the pushed schema isolates tenants on PGlite too', async () => {
		assert.ok(client, 'migrations were applied');
		await assertTenantIsolation(client);
	});
});
