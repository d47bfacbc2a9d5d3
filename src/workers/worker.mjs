#!/usr/bin/env node
// MeshHook worker process. Needs only DATABASE_URL (service role / table owner); see lib/config.mjs for the rest.
//   node worker.mjs
import { loadConfig } from './lib/config.mjs';
import { createPool } from './lib/db.mjs';
import { createLogger } from './lib/log.mjs';
import { Worker } from './lib/worker.mjs';

const log = createLogger({ service: 'worker' });

let config;
try {
	config = loadConfig();
} catch (e) {
	log.error('invalid configuration', { error: e.message });
	process.exit(2);
}

const pool = createPool(config.databaseUrl, log);
const worker = new Worker({ pool, config, log });

let signals = 0;
const onSignal = (signal) => {
	signals++;
	if (signals > 1) {
		log.warn('second signal: exiting now', { signal });
		process.exit(1);
	}
	// hard stop should the graceful path itself hang (grace + 15 s)
	setTimeout(() => {
		log.error('graceful shutdown did not complete in time: exiting');
		process.exit(1);
	}, config.shutdownTimeoutSeconds * 1000 + 15_000).unref();
	worker.stop(signal).then(
		() => process.exit(0),
		(e) => {
			log.error('shutdown failed', { error: e.message });
			process.exit(1);
		}
	);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

try {
	await worker.start();
} catch (e) {
	log.error('worker failed to start', { error: e.message });
	await pool.end().catch(() => {});
	process.exit(1);
}
