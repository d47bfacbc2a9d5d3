/**
 * Health decision logic for `GET /health`, free of SvelteKit, pg and process state so it can be unit-tested
 * without a database. The route wires a real database probe into {@link runHealthCheck}.
 *
 * Contract: `{"status":"ok"|"degraded"|"down","version":"<release>","details":{"database":...,"workers":...}}`,
 * HTTP 200 only when status is "ok", 503 otherwise.
 *   - database unreachable / erroring / too slow        -> "down"
 *   - database ok, no worker heartbeat younger than max -> "degraded"
 *   - database ok and at least one fresh heartbeat      -> "ok"
 */

export type HealthStatus = 'ok' | 'degraded' | 'down';

/** Raw result of probing the database (`SELECT 1`). */
export type DatabaseFacts = { ok: true; latencyMs: number } | { ok: false; error: string };

/** Raw result of reading `worker_heartbeats`; ages are computed by the database clock. */
export type WorkerFacts =
	| {
			ok: true;
			/** heartbeats younger than the max age */
			fresh: number;
			/** all heartbeat rows */
			total: number;
			/** age in seconds of the newest heartbeat, null when there is none */
			newestAgeSeconds: number | null;
			/** distinct releases reported by fresh workers */
			releases: string[];
	  }
	| { ok: false; error: string };

export interface ProbeFacts {
	database: DatabaseFacts;
	/** null when the database is down (workers cannot be judged) */
	workers: WorkerFacts | null;
}

export interface DatabaseDetails {
	status: 'ok' | 'down';
	latencyMs?: number;
	error?: string;
}

export interface WorkerDetails {
	status: 'ok' | 'stale' | 'none' | 'unknown';
	fresh: number;
	maxAgeSeconds: number;
	lastHeartbeatAgeSeconds: number | null;
	releases: string[];
	error?: string;
}

export interface HealthBody {
	status: HealthStatus;
	version: string;
	details: { database: DatabaseDetails; workers: WorkerDetails };
}

export interface HealthResult {
	httpStatus: 200 | 503;
	body: HealthBody;
}

export interface DecideInput {
	version: string;
	maxAgeSeconds: number;
	facts: ProbeFacts;
}

const round = (n: number, digits = 1) => {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
};

/** Pure decision: facts in, status code and body out. */
export function decideHealth({ version, maxAgeSeconds, facts }: DecideInput): HealthResult {
	const database: DatabaseDetails = facts.database.ok
		? { status: 'ok', latencyMs: round(facts.database.latencyMs) }
		: { status: 'down', error: facts.database.error };

	let workers: WorkerDetails;
	const w = facts.workers;
	if (!facts.database.ok || w === null) {
		workers = {
			status: 'unknown',
			fresh: 0,
			maxAgeSeconds,
			lastHeartbeatAgeSeconds: null,
			releases: [],
			error: 'database unavailable'
		};
	} else if (!w.ok) {
		workers = { status: 'unknown', fresh: 0, maxAgeSeconds, lastHeartbeatAgeSeconds: null, releases: [], error: w.error };
	} else {
		// Judge freshness on the age too, not only on the database's count, so both must agree.
		const fresh = w.newestAgeSeconds !== null && w.newestAgeSeconds <= maxAgeSeconds ? w.fresh : 0;
		workers = {
			status: fresh > 0 ? 'ok' : w.total > 0 ? 'stale' : 'none',
			fresh,
			maxAgeSeconds,
			lastHeartbeatAgeSeconds: w.newestAgeSeconds === null ? null : round(w.newestAgeSeconds),
			releases: fresh > 0 ? [...w.releases].sort() : []
		};
	}

	const status: HealthStatus =
		database.status !== 'ok' ? 'down' : workers.status === 'ok' ? 'ok' : 'degraded';

	return {
		httpStatus: status === 'ok' ? 200 : 503,
		body: { status, version, details: { database, workers } }
	};
}

export class TimeoutError extends Error {
	constructor(ms: number) {
		super(`timed out after ${ms} ms`);
		this.name = 'TimeoutError';
	}
}

/** Races a promise against a timer (always cleared once the promise settles). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function errorMessage(e: unknown): string {
	if (e instanceof Error) return e.message || e.name;
	return String(e);
}

export interface RunHealthCheckOptions {
	version: string;
	maxAgeSeconds: number;
	/** hard deadline for the whole probe; a slower database counts as down */
	timeoutMs: number;
	probe: () => Promise<ProbeFacts>;
}

/** Runs the probe under a deadline and decides. Never throws, never waits longer than `timeoutMs`. */
export async function runHealthCheck(opts: RunHealthCheckOptions): Promise<HealthResult> {
	let facts: ProbeFacts;
	try {
		facts = await withTimeout(opts.probe(), opts.timeoutMs);
	} catch (e) {
		facts = { database: { ok: false, error: errorMessage(e) }, workers: null };
	}
	return decideHealth({ version: opts.version, maxAgeSeconds: opts.maxAgeSeconds, facts });
}

/**
 * Single-flight cache: concurrent callers share one probe, and a result is reused for at most `ttlMs`
 * (so nothing older than ~1 s is ever reported). `ttlMs <= 0` disables reuse but keeps single-flight.
 */
export function createCachedCheck<T>(check: () => Promise<T>, ttlMs: number, now: () => number = Date.now) {
	let inflight: Promise<T> | null = null;
	let cached: { at: number; value: T } | null = null;
	return function cachedCheck(): Promise<T> {
		if (cached && ttlMs > 0 && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
		if (inflight) return inflight;
		const started = now();
		inflight = check()
			.then((value) => {
				cached = { at: started, value };
				return value;
			})
			.finally(() => {
				inflight = null;
			});
		return inflight;
	};
}

/** Parses a positive number from an environment value, falling back on missing/invalid input. */
export function positiveNumber(value: string | undefined, fallback: number): number {
	if (value === undefined || value.trim() === '') return fallback;
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Same, but 0 is allowed (e.g. to disable a cache). */
export function nonNegativeNumber(value: string | undefined, fallback: number): number {
	if (value === undefined || value.trim() === '') return fallback;
	const n = Number(value);
	return Number.isFinite(n) && n >= 0 ? n : fallback;
}
