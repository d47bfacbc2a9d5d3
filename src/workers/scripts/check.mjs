// `npm run check`: syntax-checks every .mjs/.js file of the worker package with `node --check` (no dependencies).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const skip = new Set(['node_modules', '.git']);

function* walk(dir) {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		if (skip.has(entry.name)) continue;
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* walk(full);
		else if (/\.(mjs|js|cjs)$/.test(entry.name)) yield full;
	}
}

const files = [...walk(root)].sort();
let failed = 0;
for (const file of files) {
	const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 30_000 });
	if (r.status !== 0) {
		failed++;
		process.stderr.write(`FAIL ${path.relative(root, file)}\n${r.stderr || r.error?.message || ''}\n`);
	}
}
console.log(failed ? `node --check: ${failed} of ${files.length} files FAILED` : `node --check: all ${files.length} files OK`);
process.exit(failed ? 1 : 0);
