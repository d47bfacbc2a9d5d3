// Throwaway PostgreSQL cluster for tests (node builtins only, so other test packages can import it too).
//
// initdb into a fresh temp dir (as the `postgres` OS user when running as root, as ourselves otherwise), start it on
// a free port bound to 127.0.0.1 with its socket in the same dir, and stop it with `pg_ctl -m fast` (then remove the
// dir). Every step has a timeout. When PostgreSQL cannot be started this THROWS with a clear message: tests that need
// a database fail, they never skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { claimTestRun } from './test-run-owner.mjs';

const STEP_TIMEOUT_MS = 60_000;

/** Finds the PostgreSQL server binaries: $PG_BIN, /usr/lib/postgresql/15/bin, any /usr/lib/postgresql/<n>/bin, pg_config. */
export function findPgBin() {
	const candidates = [];
	if (process.env.PG_BIN) {
		// an explicit choice is never silently replaced by another installation
		const dir = process.env.PG_BIN;
		if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
		throw new Error(`PG_BIN=${dir} does not contain the PostgreSQL server binaries initdb and pg_ctl.`);
	}
	candidates.push('/usr/lib/postgresql/15/bin');
	try {
		const versions = readdirSync('/usr/lib/postgresql')
			.filter((v) => /^\d+$/.test(v))
			.sort((a, b) => Number(b) - Number(a));
		for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
	} catch {
		/* not a Debian layout */
	}
	const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8', timeout: 10_000 });
	if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
	for (const dir of candidates) {
		if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
	}
	throw new Error(
		`PostgreSQL server binaries (initdb, pg_ctl) not found; looked in: ${candidates.join(', ') || '(nothing)'}. ` +
			'Install PostgreSQL 15 (Debian: apt-get install postgresql-15) or set PG_BIN to its bin directory.'
	);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {net.AddressInfo} */ (srv.address());
			srv.close(() => resolve(port));
		});
	});
}

function lookupPostgresUser() {
	const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8', timeout: 10_000 });
	const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8', timeout: 10_000 });
	if (r.status !== 0 || g.status !== 0) return null;
	return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function describe(result) {
	if (result.error) return result.error.message;
	const out = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
	return `exit ${result.status}${result.signal ? ` (signal ${result.signal})` : ''}${out ? `: ${out}` : ''}`;
}

/**
 * Starts a throwaway cluster. Returns { host, port, dir, user, url(db?), stop() }.
 * @param {{ startAttempts?: number }} [opts]
 */
export async function startCluster(opts = {}) {
	// postgres inherits the run's mark through runuser and pg_ctl: it dies with this test process even on kill -9
	claimTestRun();
	const bin = findPgBin();
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	let pgUser = null;
	if (isRoot) {
		pgUser = lookupPostgresUser();
		if (!pgUser) {
			throw new Error(
				'Running as root but there is no `postgres` OS user to run initdb/postgres as (PostgreSQL refuses to run as root). ' +
					'Install the PostgreSQL server package (it creates the user) or run the tests as a non-root user.'
			);
		}
	}
	// run a PostgreSQL program as the right OS user
	const run = (prog, args, timeout = STEP_TIMEOUT_MS) => {
		const exe = path.join(bin, prog);
		const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
		return spawnSync(cmd, argv, { encoding: 'utf8', timeout, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
	};

	const dir = mkdtempSync(path.join(os.tmpdir(), 'meshhook-pg-'));
	const data = path.join(dir, 'data');
	const logFile = path.join(dir, 'postgres.log');
	if (pgUser) chownSync(dir, pgUser.uid, pgUser.gid);

	const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
	const init = run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
	if (init.status !== 0) {
		cleanupDir();
		throw new Error(`Could not create a PostgreSQL cluster (initdb ${describe(init)}).`);
	}

	let port = 0;
	let lastError = '';
	let started = false;
	for (let attempt = 0; attempt < (opts.startAttempts ?? 3) && !started; attempt++) {
		port = await freePort();
		const pgOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
		const r = run('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '30', '-o', pgOptions, 'start'], 45_000);
		if (r.status === 0) started = true;
		else {
			let log = '';
			try {
				log = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
			} catch {
				/* no log */
			}
			lastError = `pg_ctl start ${describe(r)}\n${log}`;
			run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], 15_000);
		}
	}
	if (!started) {
		cleanupDir();
		throw new Error(`Could not start PostgreSQL (${bin}): ${lastError}`);
	}

	let stopped = false;
	const stopSync = () => {
		if (stopped) return;
		stopped = true;
		const r = run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
		if (r.status !== 0) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], 15_000);
		cleanupDir();
	};
	// last resort if the test process dies without running its `after` hooks
	const onExit = () => stopSync();
	process.once('exit', onExit);

	return {
		host: '127.0.0.1',
		port,
		dir,
		user: 'postgres',
		bin,
		url: (db = 'postgres', user = 'postgres') => `postgresql://${user}@127.0.0.1:${port}/${db}?sslmode=disable`,
		/** runs a PostgreSQL program (e.g. psql) as the cluster's OS user */
		run,
		async stop() {
			process.removeListener('exit', onExit);
			stopSync();
		}
	};
}
