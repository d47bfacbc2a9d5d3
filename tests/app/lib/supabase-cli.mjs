// The Supabase CLI (npm `supabase`, pinned) as deployments run it: `supabase db push --db-url URL --yes --workdir src`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { SRC_DIR } from './paths.mjs';
import { withTestRunOwner } from '../../../src/workers/testing/test-run-owner.mjs';

const require = createRequire(import.meta.url);

export function supabaseBin() {
	const pkgJson = require.resolve('supabase/package.json');
	const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
	return path.resolve(path.dirname(pkgJson), pkg.bin.supabase ?? pkg.bin);
}

/** Runs the CLI with a timeout; resolves { code, stdout, stderr }. */
export function supabase(args, { timeoutMs = 120_000, cwd = SRC_DIR } = {}) {
	return new Promise((resolve, reject) => {
		// no NODE_OPTIONS: the test runner's reporter options (set by the build) are not meant for the CLI
		const { NODE_OPTIONS: _ignored, ...env } = withTestRunOwner(); // tied to this test process: dies with it
		const child = spawn(process.execPath, [supabaseBin(), ...args], {
			cwd,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...env, DO_NOT_TRACK: '1' }
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`supabase ${args.join(' ')} timed out after ${timeoutMs} ms\n${stdout}${stderr}`));
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

export const dbPush = (dbUrl) => supabase(['db', 'push', '--db-url', dbUrl, '--yes', '--workdir', SRC_DIR]);
export const migrationList = (dbUrl) => supabase(['migration', 'list', '--db-url', dbUrl, '--workdir', SRC_DIR]);
