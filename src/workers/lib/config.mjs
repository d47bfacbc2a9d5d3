// Worker configuration, read from the environment at start.
import os from 'node:os';

function int(env, name, fallback, { min = 0 } = {}) {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min) {
		throw new Error(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
	}
	return n;
}

/**
 * @param {Record<string, string | undefined>} [env]
 */
export function loadConfig(env = process.env) {
	const databaseUrl = env.DATABASE_URL?.trim();
	if (!databaseUrl) throw new Error('DATABASE_URL is not set (the worker connects as the service role / table owner)');
	return {
		databaseUrl,
		release: env.MESHHOOK_RELEASE?.trim() || 'dev',
		environment: env.MESHHOOK_ENVIRONMENT?.trim() || 'local',
		workerId: env.WORKER_ID?.trim() || `${os.hostname()}-${process.pid}`,
		heartbeatIntervalMs: int(env, 'HEARTBEAT_INTERVAL_MS', 5000, { min: 50 }),
		pollIntervalMs: int(env, 'POLL_INTERVAL_MS', 1000, { min: 10 }),
		shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT', 30, { min: 0 }),
		healthHost: env.WORKER_HEALTH_HOST?.trim() || '127.0.0.1',
		// 0 = any free port (logged); -1 = no health server
		healthPort: int(env, 'WORKER_HEALTH_PORT', 8081, { min: -1 }),
		/** upper bound for a single `delay` node, so a bad definition cannot park a worker forever */
		maxDelayMs: int(env, 'WORKER_MAX_DELAY_MS', 600_000, { min: 0 })
	};
}
