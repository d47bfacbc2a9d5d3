// SQL for the durable run queue (public.workflow_runs) and worker heartbeats. The worker connects as a role that
// bypasses RLS (service role / table owner), like upstream's workers.

/**
 * Claims the oldest queued run atomically: concurrent workers skip rows another worker has locked, so a run is never
 * taken twice. Returns the run with its workflow definition, or null when the queue is empty.
 * @param {import('pg').Pool | import('pg').PoolClient} db
 * @param {string} workerId
 */
export async function claimNextRun(db, workerId) {
	const r = await db.query(
		`with claimed as (
		   update public.workflow_runs r
		      set status = 'running', started_at = now(), claimed_by = $1
		    where r.id = (select q.id
		                    from public.workflow_runs q
		                   where q.status = 'queued'
		                   order by q.created_at, q.id
		                   for update skip locked
		                   limit 1)
		      and r.status = 'queued'
		   returning r.id, r.project_id, r.workflow_id, r.payload, r.created_at, r.started_at)
		 select c.*, d.name as workflow_name, d.dag, d.version as workflow_version
		   from claimed c
		   join public.workflow_definitions d on d.id = c.workflow_id`,
		[workerId]
	);
	return r.rows[0] ?? null;
}

export async function completeRun(db, runId, workerId, result) {
	const r = await db.query(
		`update public.workflow_runs
		    set status = 'succeeded', result = $3::jsonb, error = null, finished_at = now()
		  where id = $1 and status = 'running' and claimed_by = $2`,
		[runId, workerId, JSON.stringify(result)]
	);
	return r.rowCount === 1;
}

export async function failRun(db, runId, workerId, error, result = null) {
	const r = await db.query(
		`update public.workflow_runs
		    set status = 'failed', error = $3, result = $4::jsonb, finished_at = now()
		  where id = $1 and status = 'running' and claimed_by = $2`,
		[runId, workerId, String(error).slice(0, 4000), result === null ? null : JSON.stringify(result)]
	);
	return r.rowCount === 1;
}

/** Puts a run this worker could not finish (shutdown grace exceeded) back in the queue for another worker. */
export async function requeueRun(db, runId, workerId) {
	const r = await db.query(
		`update public.workflow_runs
		    set status = 'queued', started_at = null, claimed_by = null
		  where id = $1 and status = 'running' and claimed_by = $2`,
		[runId, workerId]
	);
	return r.rowCount === 1;
}

export async function upsertHeartbeat(db, workerId, release) {
	await db.query(
		`insert into public.worker_heartbeats (worker_id, release, beat_at, started_at)
		 values ($1, $2, now(), now())
		 on conflict (worker_id) do update set release = excluded.release, beat_at = now()`,
		[workerId, release]
	);
}

export async function deleteHeartbeat(db, workerId) {
	await db.query('delete from public.worker_heartbeats where worker_id = $1', [workerId]);
}

/** Removes rows of workers that died long ago (not this process's concern for freshness, only for table size). */
export async function pruneHeartbeats(db, olderThanSeconds = 86_400) {
	const r = await db.query(
		'delete from public.worker_heartbeats where beat_at < now() - make_interval(secs => $1)',
		[olderThanSeconds]
	);
	return r.rowCount;
}
