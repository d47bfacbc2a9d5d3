import { json } from '@sveltejs/kit';
import { checkHealth } from '$lib/server/health-check';
import type { RequestHandler } from './$types';

// Unauthenticated liveness/readiness for load balancers and the deploy pipeline (which verifies `version`).
export const GET: RequestHandler = async () => {
	const { httpStatus, body } = await checkHealth();
	return json(body, {
		status: httpStatus,
		headers: { 'cache-control': 'no-store' }
	});
};
