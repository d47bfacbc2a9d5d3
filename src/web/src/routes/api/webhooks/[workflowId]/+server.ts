import { json } from '@sveltejs/kit';
import { getConfig } from '$lib/server/config';
import { getPool } from '$lib/server/db';
import { isUuid, SIGNATURE_HEADER, verifySignature } from '$lib/server/webhook';
import type { RequestHandler } from './$types';

// Webhook trigger: verifies the HMAC-SHA256 signature of the raw body and queues a workflow run for the workers.
export const POST: RequestHandler = async ({ params, request }) => {
	const cfg = getConfig();
	if (!cfg.webhookSecret) {
		return json({ error: 'webhooks are disabled (DEFAULT_WEBHOOK_SECRET is not set)' }, { status: 503 });
	}
	const raw = new Uint8Array(await request.arrayBuffer());
	if (!verifySignature(raw, request.headers.get(SIGNATURE_HEADER), cfg.webhookSecret)) {
		return json({ error: 'invalid signature' }, { status: 401 });
	}
	if (!isUuid(params.workflowId)) return json({ error: 'unknown workflow' }, { status: 404 });

	let payload: unknown = {};
	const text = new TextDecoder().decode(raw);
	if (text.trim() !== '') {
		try {
			payload = JSON.parse(text);
		} catch {
			return json({ error: 'body must be JSON' }, { status: 400 });
		}
	}

	const pool = getPool();
	if (!pool) return json({ error: 'database not configured' }, { status: 503 });
	// The web server connects as the service role; the project is taken from the workflow, never from the caller.
	const r = await pool.query(
		`insert into public.workflow_runs (project_id, workflow_id, status, payload)
		 select project_id, id, 'queued', $2::jsonb from public.workflow_definitions where id = $1
		 returning id, status, created_at`,
		[params.workflowId, JSON.stringify(payload)]
	);
	if (r.rowCount === 0) return json({ error: 'unknown workflow' }, { status: 404 });
	const run = r.rows[0];
	return json({ runId: run.id, status: run.status, createdAt: run.created_at }, { status: 202 });
};
