// Child processes for end-to-end tests: captured output, bounded waits, always killed in the end.
import { spawn } from 'node:child_process';
import { withTestRunOwner } from '../../../src/workers/testing/test-run-owner.mjs';

export function startProcess(command, args, { cwd, env }) {
	// tied to this test process (MESHHOOK_TEST_OWNER): it dies with the test process even on kill -9
	const child = spawn(command, args, { cwd, env: withTestRunOwner(env ?? process.env), stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
	return {
		child,
		pid: child.pid,
		output: () => output,
		exited,
		/** resolves with { code, signal, at } or rejects after timeoutMs */
		waitExit(timeoutMs) {
			let timer;
			return Promise.race([
				exited,
				new Promise((_, reject) => {
					timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms\n${output}`)), timeoutMs);
				})
			]).finally(() => clearTimeout(timer));
		},
		async waitOutput(regex, timeoutMs = 60_000) { // a hang bound: a busy machine may need long to start a process
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				const m = regex.exec(output);
				if (m) return m;
				if (child.exitCode !== null) break;
				await new Promise((r) => setTimeout(r, 25));
			}
			throw new Error(`no ${regex} in output of ${command} ${args.join(' ')}:\n${output}`);
		},
		kill(signal = 'SIGKILL') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
		}
	};
}
