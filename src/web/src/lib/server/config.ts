// Run-time configuration. Only $env/dynamic/* is used (never $env/static/*): values are read from the process
// environment when the server runs, so the same build serves local, dev, staging and production.
import { env } from '$env/dynamic/private';
import { env as publicEnv } from '$env/dynamic/public';
import { nonNegativeNumber, positiveNumber } from './health';

export interface AppConfig {
	release: string;
	environment: string;
	databaseUrl: string | undefined;
	heartbeatMaxAgeSeconds: number;
	healthTimeoutMs: number;
	healthCacheMs: number;
	webhookSecret: string | undefined;
	debugRoutes: boolean;
	supabaseUrl: string | undefined;
	supabaseAnonKeySet: boolean;
}

export function getConfig(): AppConfig {
	return {
		release: env.MESHHOOK_RELEASE?.trim() || 'dev',
		environment: env.MESHHOOK_ENVIRONMENT?.trim() || 'local',
		databaseUrl: env.DATABASE_URL?.trim() || undefined,
		heartbeatMaxAgeSeconds: positiveNumber(env.WORKER_HEARTBEAT_MAX_AGE_SECONDS, 30),
		healthTimeoutMs: positiveNumber(env.HEALTH_TIMEOUT_MS, 1000),
		healthCacheMs: nonNegativeNumber(env.HEALTH_CACHE_MS, 1000),
		webhookSecret: env.DEFAULT_WEBHOOK_SECRET || undefined,
		debugRoutes: env.MESHHOOK_DEBUG_ROUTES === 'true' || env.MESHHOOK_DEBUG_ROUTES === '1',
		supabaseUrl: publicEnv.PUBLIC_SUPABASE_URL?.trim() || undefined,
		supabaseAnonKeySet: Boolean(publicEnv.PUBLIC_SUPABASE_ANON_KEY)
	};
}
