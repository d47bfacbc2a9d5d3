// One small pg pool per process, created on first use from DATABASE_URL (read at run time) and closed on shutdown.
import pg from 'pg';
import { getConfig } from './config';

let pool: pg.Pool | null = null;
let closing: Promise<void> | null = null;

export function getPool(): pg.Pool | null {
	if (pool) return pool;
	if (closing) return null;
	const { databaseUrl } = getConfig();
	if (!databaseUrl) return null;
	pool = new pg.Pool({
		connectionString: databaseUrl,
		max: 5,
		idleTimeoutMillis: 10_000,
		// never hang: connecting, a statement on the server and a query on the client are all bounded
		connectionTimeoutMillis: 1_000,
		statement_timeout: 5_000,
		query_timeout: 6_000,
		keepAlive: true,
		application_name: 'meshhook-web'
	});
	// An idle client losing its connection (database restart) must not crash the process.
	pool.on('error', (err) => {
		console.error(JSON.stringify({ level: 'warn', msg: 'idle database client error', error: err.message }));
	});
	return pool;
}

export function isClosing(): boolean {
	return closing !== null;
}

/** Ends the pool (waits for checked-out clients to be released). Idempotent. */
export function closePool(): Promise<void> {
	if (closing) return closing;
	const p = pool;
	pool = null;
	closing = p ? p.end().catch(() => undefined) : Promise.resolve();
	return closing;
}
