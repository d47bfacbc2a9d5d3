// One JSON object per line on stdout (errors on stderr), for journald / container logs.
export function createLogger(base = {}) {
	const write = (level, msg, extra = {}) => {
		const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...extra });
		(level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
	};
	return {
		info: (msg, extra) => write('info', msg, extra),
		warn: (msg, extra) => write('warn', msg, extra),
		error: (msg, extra) => write('error', msg, extra)
	};
}

/** A logger that records instead of printing (tests). */
export function createMemoryLogger() {
	const lines = [];
	const push = (level) => (msg, extra = {}) => lines.push({ level, msg, ...extra });
	return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}
