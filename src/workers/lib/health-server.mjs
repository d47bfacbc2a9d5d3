// The worker's own GET /health: {"status":"ok"|"down","version":<release>,"details":{...}}; 200 when ok, 503 otherwise.
import http from 'node:http';

/**
 * @param {{ host: string, port: number, snapshot: () => { status: 'ok'|'down', version: string, details: object } }} opts
 * @returns {Promise<{ server: http.Server, port: number, close: () => Promise<void> }>}
 */
export function startHealthServer({ host, port, snapshot }) {
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		if (url.pathname !== '/health') {
			res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
			return;
		}
		const body = snapshot();
		res.writeHead(body.status === 'ok' ? 200 : 503, {
			'content-type': 'application/json',
			'cache-control': 'no-store',
			connection: 'close'
		});
		res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
	});
	server.keepAliveTimeout = 1000;
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			const address = server.address();
			resolve({
				server,
				port: typeof address === 'object' && address ? address.port : port,
				close: () =>
					new Promise((done) => {
						server.close(() => done());
						server.closeAllConnections?.();
					})
			});
		});
	});
}
