// The run queue and the worker against a REAL throwaway PostgreSQL cluster with the Supabase migrations applied.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../lib/config.mjs';
import { createPool } from '../lib/db.mjs';
import { createMemoryLogger } from '../lib/log.mjs';
import { claimNextRun, completeRun } from '../lib/runs.mjs';
import { Worker } from '../lib/worker.mjs';
import { applyMigrations } from '../testing/migrations.mjs';
import { startCluster } from '../testing/pg-cluster.mjs';
import { withTestRunOwner } from '../testing/test-run-owner.mjs';
import { createProject, createWorkflow, enqueueRun, getRun, waitFor } from '../testing/seed.mjs';

const WORKER_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../worker.mjs');

let cluster;
/** @type {pg.Pool} */
let db;
let workflow;

before(async () => {
	cluster = await startCluster(); // throws (test fails) when PostgreSQL cannot be started
	db = new pg.Pool({ connectionString: cluster.url(), max: 10, connectionTimeoutMillis: 60_000, query_timeout: 60_000 }); // hang bounds only
	// An idle client the cluster's stop terminates at teardown emits 'error' on the pool; unhandled, node:test reports it
	// against this hook (seen on a busy machine, where db.end() had not closed every client yet).
	db.on('error', () => {});
	const client = await db.connect();
	try {
		await applyMigrations(client);
	} finally {
		client.release();
	}
	const project = await createProject(db, { name: 'queue tests' });
	workflow = await createWorkflow(db, project.id, {
		name: 'two steps',
		dag: { nodes: [{ id: 'receive', type: 'noop' }, { id: 'store', type: 'log' }], edges: [{ from: 'receive', to: 'store' }] }
	});
});

after(async () => {
	await db?.end();
	await cluster?.stop();
});

beforeEach(async () => {
	await db.query('delete from public.workflow_runs; delete from public.worker_heartbeats;');
});

describe('claimNextRun (FOR UPDATE SKIP LOCKED)', () => {
	it('claims the oldest queued run and marks it running', async () => {
		const first = await enqueueRun(db, workflow, { n: 1 });
		await enqueueRun(db, workflow, { n: 2 });
		const run = await claimNextRun(db, 'w-a');
		assert.equal(run.id, first.id);
		assert.deepEqual(run.payload, { n: 1 });
		assert.deepEqual(run.dag.nodes.map((n) => n.id), ['receive', 'store']);
		const row = await getRun(db, first.id);
		assert.equal(row.status, 'running');
		assert.equal(row.claimed_by, 'w-a');
		assert.ok(row.started_at);
		assert.equal(await completeRun(db, run.id, 'w-b', {}), false, 'another worker cannot complete it');
		assert.equal(await completeRun(db, run.id, 'w-a', { ok: true }), true);
		assert.equal((await getRun(db, first.id)).status, 'succeeded');
	});

	it('returns null on an empty queue', async () => {
		assert.equal(await claimNextRun(db, 'w-a'), null);
	});

	it('skips a run locked by an uncommitted claim instead of waiting or taking it', async () => {
		const r1 = await enqueueRun(db, workflow, { n: 1 });
		const r2 = await enqueueRun(db, workflow, { n: 2 });
		const a = await db.connect();
		const b = await db.connect();
		try {
			await a.query('begin');
			const claimedByA = await claimNextRun(a, 'w-a'); // lock held until commit
			assert.equal(claimedByA.id, r1.id);
			// Fails the test if B waits on A's row lock. A lock_timeout, unlike a statement_timeout, counts only time spent
			// waiting for a lock, so a slow (busy) machine cannot trip it.
			await b.query("set lock_timeout = '2s'");
			const claimedByB = await claimNextRun(b, 'w-b');
			assert.equal(claimedByB.id, r2.id);
			assert.equal(await claimNextRun(b, 'w-b'), null, 'nothing left for B');
			await a.query('commit');
		} finally {
			await a.query('rollback').catch(() => {});
			a.release();
			b.release();
		}
	});

	it('two concurrent claimers never take the same run', async () => {
		const total = 60;
		const values = Array.from({ length: total }, (_, i) => `('${workflow.project_id}', '${workflow.id}', '{"n": ${i}}')`);
		await db.query(`insert into public.workflow_runs (project_id, workflow_id, payload) values ${values.join(',')}`);
		const pools = [createPool(cluster.url(), null), createPool(cluster.url(), null)];
		try {
			const claimer = async (pool, id) => {
				const got = [];
				for (;;) {
					const run = await claimNextRun(pool, id);
					if (!run) return got;
					got.push(run.id);
				}
			};
			// several claimers per pool so the two pools really race each other on the same rows
			const results = await Promise.all([
				claimer(pools[0], 'w-a'),
				claimer(pools[0], 'w-a'),
				claimer(pools[1], 'w-b'),
				claimer(pools[1], 'w-b')
			]);
			const all = results.flat();
			assert.equal(all.length, total, 'every run claimed');
			assert.equal(new Set(all).size, total, 'no run claimed twice');
			const byWorker = (await db.query("select claimed_by, count(*)::int as n from public.workflow_runs where status = 'running' group by 1 order by 1")).rows;
			assert.equal(byWorker.reduce((s, r) => s + r.n, 0), total);
			assert.equal(results[0].length + results[1].length, byWorker.find((r) => r.claimed_by === 'w-a')?.n ?? 0);
		} finally {
			await Promise.all(pools.map((p) => p.end()));
		}
	});
});

function workerConfig(overrides = {}) {
	return {
		...loadConfig({ DATABASE_URL: cluster.url() }),
		workerId: 'test-worker',
		release: 'rel-test',
		healthPort: 0,
		pollIntervalMs: 30,
		heartbeatIntervalMs: 100,
		shutdownTimeoutSeconds: 5,
		...overrides
	};
}

async function getHealth(port) {
	const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(30_000) });
	return { status: res.status, body: await res.json() };
}

describe('Worker', () => {
	it('heartbeats, executes queued runs, reports health and stops gracefully', async () => {
		const log = createMemoryLogger();
		const worker = new Worker({ pool: createPool(cluster.url(), log), config: workerConfig(), log });
		await worker.start();
		try {
			const hb = await waitFor(async () => (await db.query("select * from public.worker_heartbeats where worker_id = 'test-worker'")).rows[0], { what: 'heartbeat row' });
			assert.equal(hb.release, 'rel-test');
			const firstBeat = hb.beat_at.getTime();
			await waitFor(async () => (await db.query("select beat_at from public.worker_heartbeats where worker_id = 'test-worker'")).rows[0]?.beat_at.getTime() > firstBeat, { what: 'a second heartbeat' });

			// healthy means a heartbeat younger than 1 s: poll for it, a busy machine may delay a beat past that
			const health = await waitFor(async () => {
				const h = await getHealth(worker.healthPort);
				return h.status === 200 && h;
			}, { what: 'worker healthy' });
			assert.equal(health.body.status, 'ok');
			assert.equal(health.body.version, 'rel-test');

			const run = await enqueueRun(db, workflow, { order: 42 });
			const done = await waitFor(async () => {
				const r = await getRun(db, run.id);
				return r.status === 'succeeded' && r;
			}, { what: 'run succeeded' });
			assert.deepEqual(done.result.order, ['receive', 'store']);
			assert.deepEqual(done.result.input, { order: 42 });
			assert.equal(done.result.release, 'rel-test');
			assert.equal(done.claimed_by, 'test-worker');
			assert.ok(done.finished_at >= done.started_at);

			const failing = await createWorkflow(db, workflow.project_id, { name: 'broken', dag: { nodes: [{ id: 'x', type: 'fail', message: 'nope' }] } });
			const bad = await enqueueRun(db, failing, {});
			const failed = await waitFor(async () => {
				const r = await getRun(db, bad.id);
				return r.status === 'failed' && r;
			}, { what: 'run failed' });
			assert.match(failed.error, /nope/);
			assert.ok(failed.finished_at);
		} finally {
			await worker.stop('test');
		}
		assert.equal((await db.query("select count(*)::int as n from public.worker_heartbeats where worker_id = 'test-worker'")).rows[0].n, 0, 'heartbeat removed on stop');
		await assert.rejects(getHealth(worker.healthPort), 'health server closed');
	});

	it('finishes the in-flight run on stop when it fits in the grace period', async () => {
		// The run finishes when the test releases it, so it is in flight during the stop on any machine; the grace period
		// (120 s) only bounds a hang.
		let release;
		const inFlight = new Promise((resolve) => (release = resolve));
		let started;
		const runStarted = new Promise((resolve) => (started = resolve));
		const execute = async (run) => {
			started(run.id);
			await inFlight;
			return { order: ['held'], outputs: {}, input: run.payload, durationMs: 0 };
		};
		const log = createMemoryLogger();
		const worker = new Worker({ pool: createPool(cluster.url(), log), config: workerConfig({ shutdownTimeoutSeconds: 120 }), log, execute });
		await worker.start();
		const run = await enqueueRun(db, workflow, {});
		assert.equal(await runStarted, run.id);
		const queuedLater = await enqueueRun(db, workflow, {});
		let stopped = false;
		const stopping = worker.stop('SIGTERM').then(() => (stopped = true));
		assert.equal((await getRun(db, run.id)).status, 'running');
		assert.equal(stopped, false, 'stop waits for the in-flight run');
		release();
		await stopping;
		const row = await getRun(db, run.id);
		assert.equal(row.status, 'succeeded');
		assert.deepEqual(row.result.order, ['held']);
		assert.equal((await getRun(db, queuedLater.id)).status, 'queued', 'no new claims after stop');
		assert.ok(log.lines.some((l) => l.msg === 'worker stopping' && l.inFlightRunId === run.id), 'the run was in flight when the stop began');
	});

	it('aborts and requeues the in-flight run when the grace period runs out', async () => {
		const slow = await createWorkflow(db, workflow.project_id, { name: 'too slow', dag: { nodes: [{ id: 'wait', type: 'delay', ms: 30_000 }] } });
		const log = createMemoryLogger();
		const worker = new Worker({ pool: createPool(cluster.url(), log), config: workerConfig({ shutdownTimeoutSeconds: 1 }), log });
		await worker.start();
		const run = await enqueueRun(db, slow, {});
		await waitFor(async () => (await getRun(db, run.id)).status === 'running', { what: 'run running' });
		const t0 = Date.now();
		await worker.stop('SIGTERM');
		const waited = Date.now() - t0;
		// a lower bound only: the grace period is honoured (a busy machine makes the stop later, never earlier)
		assert.ok(waited >= 900, `stop took ${waited} ms, less than the 1 s grace period`);
		const row = await getRun(db, run.id);
		assert.equal(row.status, 'queued');
		assert.equal(row.claimed_by, null);
		assert.ok(log.lines.some((l) => /requeued/.test(l.msg)));
	});
});

describe('worker.mjs process', () => {
	it('runs as a process and exits 0 on SIGTERM after finishing its in-flight run', async () => {
		const slow = await createWorkflow(db, workflow.project_id, { name: 'slow process', dag: { nodes: [{ id: 'wait', type: 'delay', ms: 1000 }] } });
		const child = spawn(process.execPath, [WORKER_ENTRY], {
			env: withTestRunOwner({
				PATH: process.env.PATH,
				DATABASE_URL: cluster.url(),
				MESHHOOK_RELEASE: 'rel-process',
				WORKER_ID: 'proc-worker',
				WORKER_HEALTH_PORT: '0',
				POLL_INTERVAL_MS: '30',
				HEARTBEAT_INTERVAL_MS: '200',
				SHUTDOWN_TIMEOUT: '120' // only bounds a hang: the 1 s run always fits
			}),
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		const killTimer = setTimeout(() => child.kill('SIGKILL'), 100_000); // bounds a hang, inside the 120 s test timeout
		try {
			const port = await waitFor(() => Number(/"url":"http:\/\/127\.0\.0\.1:(\d+)\/health"/.exec(out)?.[1]), { what: `health port in output: ${out}` });
			const health = await waitFor(async () => {
				const h = await getHealth(port).catch(() => null);
				return h?.status === 200 && h;
			}, { what: 'worker healthy' });
			assert.equal(health.body.version, 'rel-process');

			const run = await enqueueRun(db, slow, {});
			await waitFor(async () => (await getRun(db, run.id)).status === 'running', { what: 'run running' });
			child.kill('SIGTERM');
			const [code] = await once(child, 'exit');
			assert.equal(code, 0, out);
			assert.equal((await getRun(db, run.id)).status, 'succeeded', out);
			assert.equal((await db.query("select count(*)::int as n from public.worker_heartbeats where worker_id = 'proc-worker'")).rows[0].n, 0);
		} finally {
			clearTimeout(killTimer);
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
