// Ties every process a test run starts to that run, so an interrupted run (Ctrl+C, a CI timeout, kill -9 of the test
// host) leaves no server behind. Node builtins only: the .NET test projects use this same file (copied next to their
// assemblies) and the node:test suites import it.
//
// The mechanism:
//   * A test process "claims" the run: MESHHOOK_TEST_OWNER=<pid>:<start time> (start time = field 22 of
//     /proc/<pid>/stat, so a reused pid never counts as the same owner) goes into its environment, and every program it
//     starts inherits it: pg_ctl's postgres, pglite, node servers, the edge, and release processes (launch.mjs passes
//     this one variable on to the detached programs it starts; nothing else reads it).
//   * A guard (a detached node process, one per owner) polls the owner every 500 ms; once the owner is gone it kills
//     every process still carrying that owner's mark (their process groups too, when they lead one).
//   * Whoever claims a run first reaps what an earlier run left: any marked process whose owner is dead. A process whose
//     owner is alive is never touched, so parallel runs on one machine (other worktrees, parallel CI) are safe.
//
// CLI (for the .NET side):  node test-run-owner.mjs reap            kill orphans of dead owners; prints their pids
//                           node test-run-owner.mjs watch OWNER     start a detached guard for OWNER; prints its pid
//                           node test-run-owner.mjs guard OWNER     the guard loop itself (started by watch)
//                           node test-run-owner.mjs identity PID    prints PID's owner value
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const OWNER_VARIABLE = 'MESHHOOK_TEST_OWNER';
const GUARD_POLL_MS = 500;
const SCRIPT = fileURLToPath(import.meta.url);

/** `{ ppid, pgid, start }` of a live process, or null when there is no such process (or it is a zombie). */
export function statOf(pid) {
	let text;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return null;
	}
	// The command name (field 2) is in parentheses and may contain spaces or ')': fields start after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	if (fields[0] === 'Z' || fields[0] === 'X') return null;
	return { ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] };
}

/** The owner value naming process `pid`: "<pid>:<start time>"; null when it is not running. */
export function identityOf(pid) {
	const stat = statOf(pid);
	return stat ? `${pid}:${stat.start}` : null;
}

/** True while the process an owner value names still runs (same pid AND same start time). */
export function ownerAlive(owner) {
	const match = /^(\d+):(\d+)$/.exec(owner ?? '');
	if (!match) return false;
	return identityOf(Number(match[1])) === owner;
}

/** Every process (readable by us) carrying a MESHHOOK_TEST_OWNER mark: [{ pid, owner, pgid }]. */
export function markedProcesses() {
	const found = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let environ;
		try {
			environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
		} catch {
			continue; // gone, or another user's process
		}
		const prefix = `${OWNER_VARIABLE}=`;
		const variable = environ.split('\0').find((x) => x.startsWith(prefix));
		if (!variable) continue;
		const stat = statOf(Number(entry));
		if (stat) found.push({ pid: Number(entry), owner: variable.slice(prefix.length), pgid: stat.pgid });
	}
	return found;
}

function ancestorsOfThisProcess() {
	const result = new Set([process.pid]);
	for (let pid = process.ppid, depth = 0; pid > 1 && depth < 64; depth++) {
		result.add(pid);
		pid = statOf(pid)?.ppid ?? 0;
	}
	return result;
}

function kill(pid, signal) {
	try {
		process.kill(pid, signal);
		return true;
	} catch {
		return false;
	}
}

/**
 * Kills every marked process whose owner is dead (only those of `owner` when given): SIGKILL to the process and, when
 * it leads its own process group (detached servers, postgres), to the whole group. This process and its ancestors are
 * never touched. Repeats (bounded) until nothing is left, since a dying parent may have started a child meanwhile.
 * Returns the pids it killed.
 */
export function reapOrphans({ owner } = {}) {
	const spared = ancestorsOfThisProcess();
	const killed = [];
	for (let round = 0; round < 20; round++) {
		const orphans = markedProcesses().filter(
			(x) => !spared.has(x.pid) && (owner === undefined || x.owner === owner) && !ownerAlive(x.owner)
		);
		if (orphans.length === 0) break;
		for (const orphan of orphans) {
			if (orphan.pgid === orphan.pid && !spared.has(orphan.pgid)) kill(-orphan.pgid, 'SIGKILL');
			if (kill(orphan.pid, 'SIGKILL')) killed.push(orphan.pid);
		}
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // let the kernel finish the kills
	}
	return [...new Set(killed)];
}

/** Starts the guard of `owner`: detached (own session, no stdio), so neither a Ctrl+C to the run nor its end stops it. */
export function startGuard(owner) {
	const env = { ...process.env };
	delete env[OWNER_VARIABLE]; // the guard must not count as one of the processes it kills
	delete env.NODE_OPTIONS; // e.g. node:test reporters
	const guard = spawn(process.execPath, [SCRIPT, 'guard', owner], { detached: true, stdio: 'ignore', env });
	guard.unref();
	return guard.pid;
}

let claimed = null;

/**
 * Makes this process the owner of everything it starts from now on (idempotent): reaps what dead runs left, marks
 * process.env, starts the guard. Returns the owner value; pass `env[OWNER_VARIABLE]` to children with a custom env.
 */
export function claimTestRun() {
	if (claimed) return claimed;
	reapOrphans();
	claimed = identityOf(process.pid);
	process.env[OWNER_VARIABLE] = claimed;
	startGuard(claimed);
	return claimed;
}

/** The environment for a child: `env` plus this run's mark (claiming the run first if needed). */
export function withTestRunOwner(env = process.env) {
	return { ...env, [OWNER_VARIABLE]: claimTestRun() };
}

async function guard(owner) {
	while (ownerAlive(owner)) await new Promise((resolve) => setTimeout(resolve, GUARD_POLL_MS));
	reapOrphans({ owner });
}

if (process.argv[1] === SCRIPT) {
	const [command, argument] = process.argv.slice(2);
	if (command === 'reap') {
		process.stdout.write(`${reapOrphans().join(' ')}\n`);
	} else if (command === 'watch' && argument) {
		process.stdout.write(`${startGuard(argument)}\n`);
	} else if (command === 'guard' && argument) {
		await guard(argument);
	} else if (command === 'identity' && argument) {
		process.stdout.write(`${identityOf(Number(argument)) ?? ''}\n`);
	} else {
		process.stderr.write('usage: node test-run-owner.mjs reap | watch OWNER | guard OWNER | identity PID\n');
		process.exit(2);
	}
}
