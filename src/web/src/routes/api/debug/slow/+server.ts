import { error, json } from '@sveltejs/kit';
import { getConfig } from '$lib/server/config';
import type { RequestHandler } from './$types';

// A deliberately slow request, for verifying graceful shutdown (in-flight requests finish on SIGTERM).
// Only served when MESHHOOK_DEBUG_ROUTES=true; 404 otherwise.
export const GET: RequestHandler = async ({ url }) => {
	if (!getConfig().debugRoutes) error(404, 'Not found');
	const ms = Math.min(Math.max(Number(url.searchParams.get('ms') ?? 2000) || 0, 0), 60_000);
	const started = Date.now();
	// Tests wait for this line to know the request is in flight (not for a guessed number of milliseconds).
	console.log(JSON.stringify({ level: 'info', msg: 'debug slow request started', service: 'web', ms }));
	await new Promise((resolve) => setTimeout(resolve, ms));
	return json({ sleptMs: Date.now() - started }, { headers: { 'cache-control': 'no-store' } });
};
