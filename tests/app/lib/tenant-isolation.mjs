// Row-level security assertions, shared by the PostgreSQL 15 and the PGlite runs. The connection is a superuser /
// table owner (it seeds the tenants); each check runs in its own transaction as Supabase's `authenticated` role with
// the tenant's id as the JWT subject, exactly as PostgREST does:
//   set local role authenticated; select set_config('request.jwt.claim.sub', '<uuid>', true)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const RLS_VIOLATION = '42501'; // insufficient_privilege: "new row violates row-level security policy", "permission denied"
const FK_VIOLATION = '23503';

/** Runs fn in a transaction as `role` with JWT subject `sub` (or the full claims JSON); always rolls back. */
export async function as(client, { role = 'authenticated', sub = null, claims = null }, fn) {
	await client.query('begin');
	try {
		await client.query(`set local role ${role}`);
		if (sub !== null) await client.query("select set_config('request.jwt.claim.sub', $1, true)", [sub]);
		if (claims !== null) await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
		return await fn();
	} finally {
		await client.query('rollback');
	}
}

async function rejects(promise, code, what) {
	await assert.rejects(promise, (e) => {
		assert.equal(e.code, code, `${what}: expected SQLSTATE ${code}, got ${e.code} (${e.message})`);
		return true;
	}, what);
}

export async function seedTenants(client) {
	const tenants = {};
	for (const name of ['A', 'B']) {
		const owner = randomUUID();
		const project = (await client.query('insert into public.projects (owner_id, name) values ($1, $2) returning id', [owner, `project ${name}`])).rows[0].id;
		const workflow = (await client.query(
			`insert into public.workflow_definitions (project_id, name, dag) values ($1, $2, '{"nodes":[{"id":"a","type":"noop"}],"edges":[]}') returning id`,
			[project, `workflow ${name}`]
		)).rows[0].id;
		const run = (await client.query(
			`insert into public.workflow_runs (project_id, workflow_id, payload) values ($1, $2, '{"tenant":"${name}"}') returning id`,
			[project, workflow]
		)).rows[0].id;
		tenants[name] = { owner, project, workflow, run };
	}
	return tenants;
}

/**
 * Proves tenant A cannot read or write tenant B's rows while A can use its own. Each step is one small transaction,
 * so a rejected statement never hides the next check.
 */
export async function assertTenantIsolation(client) {
	const t = await seedTenants(client);
	const { A, B } = t;
	const asA = (fn) => as(client, { sub: A.owner }, fn);
	const q = (sql, params) => client.query(sql, params);

	// --- reads: A sees exactly its own rows ---
	await asA(async () => {
		assert.equal((await q('select auth.uid() as uid')).rows[0].uid, A.owner, 'auth.uid() is the JWT subject');
		assert.deepEqual((await q('select id from public.projects')).rows.map((r) => r.id), [A.project]);
		assert.deepEqual((await q('select id from public.workflow_definitions')).rows.map((r) => r.id), [A.workflow]);
		assert.deepEqual((await q('select id from public.workflow_runs')).rows.map((r) => r.id), [A.run]);
		assert.equal((await q('select * from public.workflow_runs where id = $1', [B.run])).rowCount, 0, "B's run is invisible");
		assert.equal((await q('select * from public.workflow_definitions where project_id = $1', [B.project])).rowCount, 0);
		assert.equal((await q('select public.is_project_owner($1) as own', [A.project])).rows[0].own, true);
		assert.equal((await q('select public.is_project_owner($1) as own', [B.project])).rows[0].own, false);
	});
	// the claims-JSON form of the JWT (newer PostgREST) works the same
	await as(client, { claims: { sub: A.owner, role: 'authenticated' } }, async () => {
		assert.deepEqual((await q('select id from public.projects')).rows.map((r) => r.id), [A.project]);
	});

	// --- writes into B's project are rejected or affect nothing ---
	await asA(() => rejects(q("insert into public.workflow_definitions (project_id, name) values ($1, 'intrusion')", [B.project]), RLS_VIOLATION, 'insert workflow into B'));
	await asA(() => rejects(q('insert into public.workflow_runs (project_id, workflow_id) values ($1, $2)', [B.project, B.workflow]), RLS_VIOLATION, 'insert run into B'));
	// own project but B's workflow: the composite foreign key refuses the cross-tenant reference
	await asA(() => rejects(q('insert into public.workflow_runs (project_id, workflow_id) values ($1, $2)', [A.project, B.workflow]), FK_VIOLATION, "run in A pointing at B's workflow"));
	await asA(() => rejects(q("insert into public.projects (owner_id, name) values ($1, 'not mine')", [B.owner]), RLS_VIOLATION, 'project owned by B'));
	await asA(async () => {
		assert.equal((await q("update public.workflow_definitions set name = 'pwned' where id = $1", [B.workflow])).rowCount, 0);
		assert.equal((await q("update public.workflow_runs set status = 'failed' where id = $1", [B.run])).rowCount, 0);
		assert.equal((await q('update public.projects set owner_id = $1 where id = $2', [A.owner, B.project])).rowCount, 0);
		assert.equal((await q('delete from public.workflow_runs where project_id = $1', [B.project])).rowCount, 0);
		assert.equal((await q('delete from public.projects where id = $1', [B.project])).rowCount, 0);
	});
	// moving an own row into B's project fails the policy's WITH CHECK
	await asA(() => rejects(q('update public.workflow_definitions set project_id = $1 where id = $2', [B.project, A.workflow]), RLS_VIOLATION, 'move workflow to B'));

	// --- A can use its own project ---
	await asA(async () => {
		const wf = (await q(`insert into public.workflow_definitions (project_id, name) values ($1, 'second') returning id`, [A.project])).rows[0].id;
		const run = (await q(`insert into public.workflow_runs (project_id, workflow_id, payload) values ($1, $2, '{"ok":true}') returning id`, [A.project, wf])).rows[0].id;
		assert.equal((await q("update public.workflow_definitions set name = 'renamed' where id = $1", [A.workflow])).rowCount, 1);
		assert.equal((await q('select count(*)::int as n from public.workflow_runs')).rows[0].n, 2);
		assert.equal((await q('delete from public.workflow_runs where id = $1', [run])).rowCount, 1);
		const own = (await q("insert into public.projects (owner_id, name) values ($1, 'another') returning owner_id", [A.owner])).rows[0];
		assert.equal(own.owner_id, A.owner);
	});

	// B's rows are untouched (checked as the owner)
	const b = (await q('select d.name, r.status from public.workflow_definitions d join public.workflow_runs r on r.workflow_id = d.id where d.project_id = $1', [B.project])).rows;
	assert.deepEqual(b, [{ name: 'workflow B', status: 'queued' }]);

	// --- no identity, anon, worker table ---
	await as(client, { sub: null }, async () => {
		assert.equal((await q('select * from public.projects')).rowCount, 0, 'authenticated without a subject sees nothing');
	});
	await as(client, { role: 'anon' }, async () => {
		// plain PostgreSQL: anon has no grant (permission denied); Supabase grants it, and then RLS yields no rows
		try {
			assert.equal((await q('select * from public.workflow_runs')).rowCount, 0);
		} catch (e) {
			assert.equal(e.code, RLS_VIOLATION, e.message);
		}
	});
	await asA(() => rejects(q('select * from public.worker_heartbeats'), RLS_VIOLATION, 'tenants cannot read worker heartbeats'));

	// --- the service role (workers, webhook route) bypasses RLS, as on Supabase ---
	await as(client, { role: 'service_role' }, async () => {
		assert.ok((await q('select count(*)::int as n from public.projects')).rows[0].n >= 2);
		assert.ok((await q('select count(*)::int as n from public.workflow_runs')).rows[0].n >= 2);
	});
	return t;
}
