// Processes a test starts die with the test process, however it ends (issue 15, item 16): real processes, real SIGKILL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { identityOf, OWNER_VARIABLE, reapOrphans, statOf } from '../testing/test-run-owner.mjs';

const TESTING = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testing');
// Only bounds a hang: the guard polls every 500 ms, so this is reached only when the tie is broken.
const GONE_WITHIN_MS = 20_000;

const alive = (pid) => statOf(pid) !== null;

async function waitUntilGone(pids) {
	const deadline = Date.now() + GONE_WITHIN_MS;
	while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	return pids.filter(alive);
}

function markOf(pid) {
	const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
	return environ.find((x) => x.startsWith(`${OWNER_VARIABLE}=`))?.slice(OWNER_VARIABLE.length + 1);
}

/** Starts `node -e script` (a stand-in for a test process), returns it and the first line it prints (parsed JSON). */
async function startOwner(script) {
	const { [OWNER_VARIABLE]: _mark, NODE_OPTIONS: _options, ...env } = process.env;
	const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
	let output = '';
	owner.stdout.on('data', (d) => (output += d));
	const exited = once(owner, 'exit');
	while (!output.includes('\n')) {
		// waits for the owner's own signal (its first line); an early exit fails at once instead of waiting
		await Promise.race([once(owner.stdout, 'data'), exited.then(() => assert.fail(`the owner exited early: ${output}`))]);
	}
	return { owner, exited, started: JSON.parse(output.split('\n')[0]) };
}

describe('processes started by a test die with the test process', () => {
	it('kill -9 of the test process stops its PostgreSQL cluster, a child and a daemonised child', async () => {
		const { owner, exited, started } = await startOwner(`
			import { spawn, spawnSync } from 'node:child_process';
			import { readFileSync } from 'node:fs';
			import { startCluster } from ${JSON.stringify(path.join(TESTING, 'pg-cluster.mjs'))};
			const cluster = await startCluster();
			const postmaster = Number(readFileSync(cluster.dir + '/data/postmaster.pid', 'utf8').split('\\n')[0]);
			const child = spawn('sleep', ['300'], { stdio: 'ignore' }).pid;
			// setsid + background + the shell's exit: reparented to init in its own session, like a daemon
			const daemon = Number(spawnSync('sh', ['-c', 'setsid sleep 300 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout);
			console.log(JSON.stringify({ owner: process.env.${OWNER_VARIABLE}, dir: cluster.dir, pids: [postmaster, child, daemon] }));
			setInterval(() => {}, 1000);
		`);
		try {
			assert.equal(started.owner, identityOf(owner.pid));
			for (const pid of started.pids) {
				assert.ok(alive(pid), `pid ${pid} runs before the owner is killed`);
				assert.equal(markOf(pid), started.owner, `pid ${pid} carries the owner's mark (postgres keeps its environment)`);
			}
			owner.kill('SIGKILL');
			await exited;
			assert.deepEqual(await waitUntilGone(started.pids), [], 'every process the killed owner started is gone');
		} finally {
			owner.kill('SIGKILL');
			for (const pid of started.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
			rmSync(started.dir, { recursive: true, force: true });
		}
	});

	it('reaping kills orphans whose owner is dead (or whose pid was reused) and leaves those of a live owner alone', async () => {
		const me = identityOf(process.pid);
		const start = (owner) => spawn('sleep', ['300'], { stdio: 'ignore', env: { PATH: process.env.PATH, [OWNER_VARIABLE]: owner } });
		const deadOwner = start('999999999:1'); // no such pid
		const reusedPid = start(`${process.pid}:1`); // this pid, but another start time: an earlier process of that pid
		const liveOwner = start(me);
		try {
			await Promise.all([deadOwner, reusedPid, liveOwner].map((x) => once(x, 'spawn')));
			const reaped = reapOrphans();
			assert.ok(reaped.includes(deadOwner.pid), `reaped ${reaped}`);
			assert.ok(reaped.includes(reusedPid.pid), `reaped ${reaped}`);
			assert.ok(!reaped.includes(liveOwner.pid), 'a process of a live owner is never reaped');
			const [[, deadSignal], [, reusedSignal]] = await Promise.all([once(deadOwner, 'exit'), once(reusedPid, 'exit')]);
			assert.equal(deadSignal, 'SIGKILL');
			assert.equal(reusedSignal, 'SIGKILL');
			assert.equal(liveOwner.exitCode, null);
			assert.equal(liveOwner.signalCode, null);
		} finally {
			for (const child of [deadOwner, reusedPid, liveOwner]) child.kill('SIGKILL');
		}
	});
});
