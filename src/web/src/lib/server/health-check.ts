// Wires the real database into the pure health logic of ./health.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { getConfig } from './config';
import { getPool, isClosing } from './db';
import {
	createCachedCheck,
	errorMessage,
	runHealthCheck,
	type HealthResult,
	type ProbeFacts,
	type WorkerFacts
} from './health';

const HEARTBEAT_SQL = `
select count(*) filter (where beat_at > now() - make_interval(secs => $1))::int as fresh,
       count(*)::int as total,
       extract(epoch from (now() - max(beat_at)))::float8 as newest_age_seconds,
       coalesce(array_agg(distinct release) filter (where beat_at > now() - make_interval(secs => $1)), '{}') as releases
  from public.worker_heartbeats`;

async function probeDatabase(maxAgeSeconds: number, timeoutMs: number): Promise<ProbeFacts> {
	const pool = getPool();
	if (!pool) {
		const error = isClosing() ? 'shutting down' : 'DATABASE_URL is not set';
		return { database: { ok: false, error }, workers: null };
	}

	const started = performance.now();
	let client: pg.PoolClient;
	try {
		client = await pool.connect();
	} catch (e) {
		return { database: { ok: false, error: `connect: ${errorMessage(e)}` }, workers: null };
	}
	let broken: Error | undefined;
	try {
		try {
			await client.query({ text: 'select 1', query_timeout: timeoutMs } as pg.QueryConfig);
		} catch (e) {
			broken = e instanceof Error ? e : new Error(String(e));
			return { database: { ok: false, error: errorMessage(e) }, workers: null };
		}
		const latencyMs = performance.now() - started;
		let workers: WorkerFacts;
		try {
			const r = await client.query({
				text: HEARTBEAT_SQL,
				values: [maxAgeSeconds],
				query_timeout: timeoutMs
			} as pg.QueryConfig);
			const row = r.rows[0] ?? {};
			workers = {
				ok: true,
				fresh: Number(row.fresh ?? 0),
				total: Number(row.total ?? 0),
				newestAgeSeconds: row.newest_age_seconds === null || row.newest_age_seconds === undefined ? null : Number(row.newest_age_seconds),
				releases: Array.isArray(row.releases) ? row.releases.map(String) : []
			};
		} catch (e) {
			// e.g. migrations not applied yet: the database is up, the workers cannot be judged
			if (/timeout/i.test(errorMessage(e))) broken = e instanceof Error ? e : new Error(String(e));
			workers = { ok: false, error: errorMessage(e) };
		}
		return { database: { ok: true, latencyMs }, workers };
	} finally {
		// a client whose query timed out may still be busy: destroy it instead of returning it to the pool
		client.release(broken);
	}
}

let cached: { ttl: number; check: () => Promise<HealthResult> } | null = null;

/** The health result for this instant (shared between concurrent callers, never older than HEALTH_CACHE_MS). */
export function checkHealth(): Promise<HealthResult> {
	const cfg = getConfig();
	if (!cached || cached.ttl !== cfg.healthCacheMs) {
		cached = {
			ttl: cfg.healthCacheMs,
			check: createCachedCheck(() => {
				const c = getConfig();
				return runHealthCheck({
					version: c.release,
					maxAgeSeconds: c.heartbeatMaxAgeSeconds,
					timeoutMs: c.healthTimeoutMs,
					probe: () => probeDatabase(c.heartbeatMaxAgeSeconds, c.healthTimeoutMs)
				});
			}, cfg.healthCacheMs)
		};
	}
	return cached.check();
}
