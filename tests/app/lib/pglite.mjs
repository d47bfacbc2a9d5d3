// PGlite (PostgreSQL 18 in WebAssembly) behind a PostgreSQL wire-protocol socket: `pglite-server -d DIR -p PORT -m 4`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './db.mjs';
import { APP_TESTS_DIR } from './paths.mjs';
import { withTestRunOwner } from '../../../src/workers/testing/test-run-owner.mjs';

function serverScript() {
	// the package's exports hide package.json from require.resolve: read it from node_modules directly
	const pkgJson = path.join(APP_TESTS_DIR, 'node_modules', '@electric-sql', 'pglite-socket', 'package.json');
	const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
	const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['pglite-server'];
	return path.resolve(path.dirname(pkgJson), bin);
}

function canConnect(port) {
	return new Promise((resolve) => {
		const s = net.connect({ host: '127.0.0.1', port }, () => {
			s.destroy();
			resolve(true);
		});
		s.on('error', () => resolve(false));
		s.setTimeout(1000, () => {
			s.destroy();
			resolve(false);
		});
	});
}

export async function startPglite({ timeoutMs = 60_000 } = {}) {
	const script = serverScript();
	const port = await freePort();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'meshhook-pglite-'));
	const { NODE_OPTIONS: _ignored, ...env } = withTestRunOwner(); // tied to this test process: dies with it
	const child = spawn(process.execPath, [script, '-d', path.join(dir, 'db'), '-p', String(port), '-m', '4'], {
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const deadline = Date.now() + timeoutMs;
	while (!(await canConnect(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill('SIGKILL');
			rmSync(dir, { recursive: true, force: true });
			throw new Error(`pglite-server did not start on port ${port} within ${timeoutMs} ms:\n${output}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		port,
		url: (db = 'postgres') => `postgresql://postgres:postgres@127.0.0.1:${port}/${db}?sslmode=disable`,
		output: () => output,
		async stop() {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				const t = setTimeout(() => child.kill('SIGKILL'), 5000);
				await once(child, 'exit').catch(() => {});
				clearTimeout(t);
			}
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
