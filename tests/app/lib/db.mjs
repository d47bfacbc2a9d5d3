// Re-exports the throwaway-cluster and migration helpers of the worker package (node builtins only) and adds pg bits.
import pg from 'pg';

export { freePort, startCluster } from '../../../src/workers/testing/pg-cluster.mjs';
export { applyMigrations, listMigrations, MIGRATIONS_DIR } from '../../../src/workers/testing/migrations.mjs';

/** A connected client with bounded timeouts. */
export async function connect(url) {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 60_000, query_timeout: 60_000 }); // hang bounds only
	await client.connect();
	return client;
}

/** Polls `fn` until it returns a truthy value (errors count as "not yet"); throws after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 60_000, intervalMs = 50, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		try {
			const value = await fn();
			if (value) return value;
			last = value;
		} catch (e) {
			last = `error: ${e.message}`;
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}
