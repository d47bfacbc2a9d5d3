// GET /health decision logic, without a database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
	createCachedCheck,
	decideHealth,
	nonNegativeNumber,
	positiveNumber,
	runHealthCheck
} from '../src/lib/server/health.ts';

const dbOk = { ok: true, latencyMs: 1.234 };
const workers = (fresh, newestAgeSeconds, { total = fresh, releases = fresh ? ['r1'] : [] } = {}) => ({
	ok: true,
	fresh,
	total,
	newestAgeSeconds,
	releases
});

describe('decideHealth', () => {
	const cases = [
		{
			name: 'database ok + fresh heartbeat -> 200 ok',
			facts: { database: dbOk, workers: workers(2, 1.5) },
			http: 200,
			status: 'ok',
			workers: 'ok'
		},
		{
			name: 'database ok + only stale heartbeats -> 503 degraded',
			facts: { database: dbOk, workers: workers(0, 95, { total: 1 }) },
			http: 503,
			status: 'degraded',
			workers: 'stale'
		},
		{
			name: 'database ok + no heartbeat at all -> 503 degraded',
			facts: { database: dbOk, workers: workers(0, null, { total: 0 }) },
			http: 503,
			status: 'degraded',
			workers: 'none'
		},
		{
			name: 'database ok + heartbeat just past the max age -> 503 degraded (age wins over count)',
			facts: { database: dbOk, workers: workers(1, 30.5) },
			http: 503,
			status: 'degraded',
			workers: 'stale'
		},
		{
			name: 'database ok + heartbeat table unreadable -> 503 degraded',
			facts: { database: dbOk, workers: { ok: false, error: 'relation "public.worker_heartbeats" does not exist' } },
			http: 503,
			status: 'degraded',
			workers: 'unknown'
		},
		{
			name: 'database error -> 503 down',
			facts: { database: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' }, workers: null },
			http: 503,
			status: 'down',
			workers: 'unknown'
		},
		{
			name: 'database down even with stale worker facts -> 503 down',
			facts: { database: { ok: false, error: 'timed out after 1000 ms' }, workers: workers(3, 1) },
			http: 503,
			status: 'down',
			workers: 'unknown'
		}
	];

	for (const c of cases) {
		it(c.name, () => {
			const r = decideHealth({ version: '20260101.1-abc1234', maxAgeSeconds: 30, facts: c.facts });
			assert.equal(r.httpStatus, c.http);
			assert.equal(r.body.status, c.status);
			assert.equal(r.body.version, '20260101.1-abc1234', 'version echoed');
			assert.deepEqual(Object.keys(r.body), ['status', 'version', 'details']);
			assert.deepEqual(Object.keys(r.body.details), ['database', 'workers']);
			assert.equal(r.body.details.workers.status, c.workers);
			assert.equal(r.body.details.database.status, c.facts.database.ok ? 'ok' : 'down');
		});
	}

	it('reports database latency and fresh releases', () => {
		const r = decideHealth({ version: 'v', maxAgeSeconds: 30, facts: { database: dbOk, workers: workers(2, 0.25, { releases: ['r2', 'r1'] }) } });
		assert.equal(r.body.details.database.latencyMs, 1.2);
		assert.deepEqual(r.body.details.workers.releases, ['r1', 'r2']);
		assert.equal(r.body.details.workers.lastHeartbeatAgeSeconds, 0.3);
		assert.equal(r.body.details.workers.maxAgeSeconds, 30);
	});

	it('is JSON-serialisable as the contract shape', () => {
		const r = decideHealth({ version: 'dev', maxAgeSeconds: 30, facts: { database: dbOk, workers: workers(1, 2) } });
		const parsed = JSON.parse(JSON.stringify(r.body));
		assert.match(parsed.status, /^(ok|degraded|down)$/);
		assert.equal(typeof parsed.version, 'string');
	});
});

describe('runHealthCheck', () => {
	it('echoes the version and decides from the probe', async () => {
		const r = await runHealthCheck({
			version: 'rel-7',
			maxAgeSeconds: 30,
			timeoutMs: 500,
			probe: async () => ({ database: dbOk, workers: workers(1, 3) })
		});
		assert.deepEqual([r.httpStatus, r.body.status, r.body.version], [200, 'ok', 'rel-7']);
	});

	it('a probe that throws means down', async () => {
		const r = await runHealthCheck({
			version: 'rel-7',
			maxAgeSeconds: 30,
			timeoutMs: 500,
			probe: async () => {
				throw new Error('password authentication failed');
			}
		});
		assert.deepEqual([r.httpStatus, r.body.status], [503, 'down']);
		assert.match(r.body.details.database.error, /password authentication failed/);
	});

	it('a hanging probe means down once its deadline passes, never a hang', async (t) => {
		// The clock is the test's: the probe hangs until released, and the deadline passes when the test advances the
		// timers, so a busy machine cannot make the probe look slow or the deadline early.
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let release;
		const probe = () => new Promise((resolve) => (release = () => resolve({ database: dbOk, workers: workers(1, 3) })));
		let result;
		const pending = runHealthCheck({ version: 'rel-7', maxAgeSeconds: 30, timeoutMs: 80, probe }).then((r) => (result = r));

		t.mock.timers.tick(79);
		await settle();
		assert.equal(result, undefined, 'still waiting for the probe 1 ms before the deadline');

		t.mock.timers.tick(1);
		await pending;
		assert.deepEqual([result.httpStatus, result.body.status], [503, 'down']);
		assert.match(result.body.details.database.error, /timed out after 80 ms/);

		release(); // a probe that answers after the deadline changes nothing
		await settle();
		assert.deepEqual([result.httpStatus, result.body.status], [503, 'down']);
	});

	it('a probe that answers before its deadline is used, and its timer is cleared', async (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] });
		let release;
		const probe = () => new Promise((resolve) => (release = () => resolve({ database: dbOk, workers: workers(1, 3) })));
		const pending = runHealthCheck({ version: 'rel-7', maxAgeSeconds: 30, timeoutMs: 80, probe });
		t.mock.timers.tick(79);
		release();
		const r = await pending;
		assert.deepEqual([r.httpStatus, r.body.status], [200, 'ok']);
		t.mock.timers.tick(1); // the cleared deadline fires nothing (an unhandled rejection would fail the run)
		await settle();
	});
});

/** Lets every queued promise reaction run (setImmediate is not mocked: only setTimeout is). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createCachedCheck', () => {
	it('shares one probe between concurrent callers and reuses it only within the TTL', async () => {
		let now = 1000;
		let calls = 0;
		const check = createCachedCheck(async () => ++calls, 1000, () => now);
		const [a, b] = await Promise.all([check(), check()]);
		assert.deepEqual([a, b, calls], [1, 1, 1]);
		now += 999;
		assert.equal(await check(), 1);
		now += 1;
		assert.equal(await check(), 2);
	});

	it('TTL 0 never reuses a finished result', async () => {
		let calls = 0;
		const check = createCachedCheck(async () => ++calls, 0);
		assert.equal(await check(), 1);
		assert.equal(await check(), 2);
	});

	it('does not cache failures', async () => {
		let calls = 0;
		const check = createCachedCheck(async () => {
			calls++;
			throw new Error('x');
		}, 1000);
		await assert.rejects(check());
		await assert.rejects(check());
		assert.equal(calls, 2);
	});
});

describe('environment parsing', () => {
	it('positiveNumber / nonNegativeNumber fall back on missing or invalid values', () => {
		assert.equal(positiveNumber(undefined, 30), 30);
		assert.equal(positiveNumber('', 30), 30);
		assert.equal(positiveNumber('45', 30), 45);
		assert.equal(positiveNumber('0', 30), 30);
		assert.equal(positiveNumber('abc', 30), 30);
		assert.equal(nonNegativeNumber('0', 1000), 0);
		assert.equal(nonNegativeNumber('-1', 1000), 1000);
	});
});
