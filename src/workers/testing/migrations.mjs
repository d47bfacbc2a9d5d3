// Applies the Supabase migrations (src/supabase/migrations/<14 digits>_<name>.sql) in order, directly through a pg
// client. (Deployments use `supabase db push`, checked separately; this is the quick path for tests.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../supabase/migrations');

export function listMigrations(dir = MIGRATIONS_DIR) {
	return readdirSync(dir)
		.filter((f) => /^\d{14}_[\w-]+\.sql$/.test(f))
		.sort()
		.map((f) => ({ version: f.slice(0, 14), name: f.slice(15, -4), file: path.join(dir, f) }));
}

/** @param {{ query: (sql: string) => Promise<unknown> }} client */
export async function applyMigrations(client, dir = MIGRATIONS_DIR) {
	const applied = [];
	for (const m of listMigrations(dir)) {
		const sql = readFileSync(m.file, 'utf8');
		try {
			await client.query(`begin;\n${sql}\n;commit;`);
		} catch (e) {
			await client.query('rollback').catch(() => {});
			throw new Error(`migration ${path.basename(m.file)} failed: ${e.message}`);
		}
		applied.push(m.version);
	}
	return applied;
}
