#!/usr/bin/env node
// /health latency benchmark (moved here from tests/app/e2e, where a "slowest < 200 ms" budget failed on busy machines):
// a throwaway PostgreSQL 15 cluster with the migrations, the BUILT web app with HEALTH_CACHE_MS=0 (every call probes the
// database), then N sequential GET /health on loopback. Prints min, median, p95 and max in milliseconds.
//
//   node bench/web-health-latency.mjs [REQUESTS]   REQUESTS default 200; needs `npm ci` in tests/app and src/workers,
//                                                  and `npm ci && npm run build` in src/web (or MESHHOOK_WEB_DIR)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { applyMigrations, connect, freePort, startCluster, waitFor } from '../tests/app/lib/db.mjs';
import { E2E_WEB_DIR as WEB_DIR } from '../tests/app/lib/paths.mjs';
import { startProcess } from '../tests/app/lib/proc.mjs';

const requests = Number(process.argv[2] ?? 200);
if (!Number.isInteger(requests) || requests < 1) {
	console.error(`usage: node bench/web-health-latency.mjs [REQUESTS]   (REQUESTS: a positive whole number, got ${process.argv[2]})`);
	process.exit(2);
}
const entry = path.join(WEB_DIR, 'build', 'index.js');
if (!existsSync(entry)) {
	console.error(`missing ${entry}: run \`npm ci && npm run build\` in src/web (or set MESHHOOK_WEB_DIR)`);
	process.exit(2);
}

const cluster = await startCluster();
let web;
try {
	const db = await connect(cluster.url());
	await applyMigrations(db);
	await db.end();
	const port = await freePort();
	web = startProcess(process.execPath, [entry], {
		cwd: WEB_DIR,
		env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ORIGIN: `http://127.0.0.1:${port}`, DATABASE_URL: cluster.url(), HEALTH_CACHE_MS: '0', MESHHOOK_RELEASE: 'bench' }
	});
	await web.waitOutput(/Listening on/);
	const url = `http://127.0.0.1:${port}/health`;
	await waitFor(async () => (await fetch(url)).status !== 0, { what: 'web answering' });
	const times = [];
	for (let i = 0; i < requests; i++) {
		const t0 = performance.now();
		const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
		await res.text();
		times.push(performance.now() - t0);
	}
	times.sort((a, b) => a - b);
	const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
	console.log(`GET /health (uncached, ${requests} requests), ms: min ${at(0)}  median ${at(0.5)}  p95 ${at(0.95)}  max ${at(1)}`);
} finally {
	web?.kill('SIGKILL');
	await cluster.stop();
}
