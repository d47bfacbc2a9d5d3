// A stand-in for MeshHook's web build (build/index.js): the /health contract, a release id, graceful SIGTERM.
// Its behaviour comes from health-mode.txt beside it: "ok", "503" (never healthy), or "ok-once" (healthy once, then 503).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const release = process.env.MESHHOOK_RELEASE;
const mode = readFileSync(new URL('../health-mode.txt', import.meta.url), 'utf8').trim();
const healthPath = process.env.FIXTURE_HEALTH_PATH || '/health';
let healthChecks = 0;
const server = http.createServer((request, response) => {
  if (request.url === healthPath) {
    healthChecks++;
    const healthy = mode === 'ok' || (mode === 'ok-once' && healthChecks === 1);
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: healthy ? 'ok' : 'down', version: release, details: { database: 'ok', workers: 'ok' } }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`MeshHook fixture ${release}; configured: ${Object.keys(process.env).filter((x) => x.startsWith('FIXTURE_')).join(',')}\n`);
});
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log(`web ${release} listening on ${process.env.PORT} (${mode})`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
