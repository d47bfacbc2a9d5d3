import { getConfig } from '$lib/server/config';
import { checkHealth } from '$lib/server/health-check';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ setHeaders }) => {
	setHeaders({ 'cache-control': 'no-store' });
	const cfg = getConfig();
	const health = await checkHealth();
	return {
		release: cfg.release,
		environment: cfg.environment,
		supabaseUrl: cfg.supabaseUrl ?? null,
		health: health.body,
		checkedAt: new Date().toISOString()
	};
};
