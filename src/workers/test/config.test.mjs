import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../lib/config.mjs';

describe('loadConfig', () => {
	it('requires DATABASE_URL', () => {
		assert.throws(() => loadConfig({}), /DATABASE_URL/);
	});

	it('applies defaults', () => {
		const c = loadConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/db' });
		assert.equal(c.release, 'dev');
		assert.equal(c.heartbeatIntervalMs, 5000);
		assert.equal(c.pollIntervalMs, 1000);
		assert.equal(c.shutdownTimeoutSeconds, 30);
		assert.equal(c.healthHost, '127.0.0.1');
		assert.equal(c.healthPort, 8081);
		assert.match(c.workerId, /-\d+$/);
	});

	it('reads overrides and rejects nonsense', () => {
		const c = loadConfig({
			DATABASE_URL: 'postgresql://x@127.0.0.1/db',
			MESHHOOK_RELEASE: '20260101-abc1234',
			WORKER_ID: 'w1',
			HEARTBEAT_INTERVAL_MS: '250',
			POLL_INTERVAL_MS: '20',
			SHUTDOWN_TIMEOUT: '3',
			WORKER_HEALTH_PORT: '0',
			WORKER_HEALTH_HOST: '0.0.0.0'
		});
		assert.deepEqual(
			[c.release, c.workerId, c.heartbeatIntervalMs, c.pollIntervalMs, c.shutdownTimeoutSeconds, c.healthPort, c.healthHost],
			['20260101-abc1234', 'w1', 250, 20, 3, 0, '0.0.0.0']
		);
		assert.throws(() => loadConfig({ DATABASE_URL: 'x', POLL_INTERVAL_MS: 'soon' }), /POLL_INTERVAL_MS/);
		assert.throws(() => loadConfig({ DATABASE_URL: 'x', SHUTDOWN_TIMEOUT: '-1' }), /SHUTDOWN_TIMEOUT/);
	});
});
