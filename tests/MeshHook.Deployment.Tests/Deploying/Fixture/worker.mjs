// A stand-in for MeshHook's worker: /health on WORKER_HEALTH_PORT with the release id, graceful SIGTERM.
import http from 'node:http';

const release = process.env.MESHHOOK_RELEASE;
const server = http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'ok', version: release }));
});
server.listen(Number(process.env.WORKER_HEALTH_PORT), '127.0.0.1', () => console.log(`worker ${release} up`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
