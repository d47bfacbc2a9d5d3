import pg from 'pg';

/** A small pool: heartbeat, claim/complete and the health server never need more. */
export function createPool(databaseUrl, log, { applicationName = 'meshhook-worker' } = {}) {
	const pool = new pg.Pool({
		connectionString: databaseUrl,
		max: 4,
		idleTimeoutMillis: 30_000,
		connectionTimeoutMillis: 5_000,
		statement_timeout: 30_000,
		query_timeout: 35_000,
		keepAlive: true,
		application_name: applicationName
	});
	pool.on('error', (err) => log?.warn('idle database client error', { error: err.message }));
	return pool;
}
