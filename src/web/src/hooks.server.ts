import type { HandleServerError, ServerInit } from '@sveltejs/kit';
import { EventEmitter } from 'node:events';
import { getConfig } from '$lib/server/config';
import { closePool } from '$lib/server/db';

const log = (level: string, msg: string, extra: Record<string, unknown> = {}) =>
	console.log(JSON.stringify({ level, msg, service: 'web', time: new Date().toISOString(), ...extra }));

export const init: ServerInit = () => {
	const cfg = getConfig();
	log('info', 'meshhook web starting', {
		release: cfg.release,
		environment: cfg.environment,
		database: cfg.databaseUrl ? 'configured' : 'missing',
		webhooks: cfg.webhookSecret ? 'enabled' : 'disabled'
	});

	// adapter-node handles SIGTERM/SIGINT: it stops accepting connections, closes idle ones, lets in-flight requests
	// finish for up to SHUTDOWN_TIMEOUT seconds (default 30), then emits `sveltekit:shutdown`. We close the pool there
	// so nothing keeps the event loop alive and the process exits by itself.
	const g = globalThis as { __meshhookShutdownHook?: boolean };
	if (!g.__meshhookShutdownHook) {
		g.__meshhookShutdownHook = true;
		(process as unknown as EventEmitter).on('sveltekit:shutdown', async (reason: string) => {
			log('info', 'shutting down', { reason });
			await closePool();
			log('info', 'database pool closed');
			// safety net: should anything still hold the loop open, exit anyway (timer does not keep it alive)
			setTimeout(() => process.exit(0), 1_000).unref();
		});
	}
};

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status !== 404) {
		log('error', 'request failed', {
			path: event.url.pathname,
			status,
			error: error instanceof Error ? error.message : String(error)
		});
	}
	return { message };
};
