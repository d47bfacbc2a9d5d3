// Test data helpers (run as the table owner, i.e. bypassing RLS).
import { randomUUID } from 'node:crypto';

export async function createProject(db, { ownerId = randomUUID(), name = 'project' } = {}) {
	const r = await db.query('insert into public.projects (owner_id, name) values ($1, $2) returning *', [ownerId, name]);
	return r.rows[0];
}

export async function createWorkflow(db, projectId, { name = 'workflow', dag = { nodes: [{ id: 'a', type: 'noop' }], edges: [] } } = {}) {
	const r = await db.query(
		'insert into public.workflow_definitions (project_id, name, dag) values ($1, $2, $3::jsonb) returning *',
		[projectId, name, JSON.stringify(dag)]
	);
	return r.rows[0];
}

export async function enqueueRun(db, workflow, payload = {}) {
	const r = await db.query(
		`insert into public.workflow_runs (project_id, workflow_id, payload) values ($1, $2, $3::jsonb) returning *`,
		[workflow.project_id, workflow.id, JSON.stringify(payload)]
	);
	return r.rows[0];
}

export async function getRun(db, id) {
	return (await db.query('select * from public.workflow_runs where id = $1', [id])).rows[0];
}

/** Polls `fn` until it returns a truthy value; throws after `timeoutMs` (only a hang bound: generous for busy machines). */
export async function waitFor(fn, { timeoutMs = 60_000, intervalMs = 25, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await fn();
		if (last) return last;
		await new Promise((r) => setTimeout(r, intervalMs));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}
