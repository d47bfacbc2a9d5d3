import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { isUuid, sign, verifySignature } from '../src/lib/server/webhook.ts';

describe('webhook signatures (HMAC-SHA256)', () => {
	const body = '{"event":"push","n":1}';
	const secret = 's3cret';
	const hex = createHmac('sha256', secret).update(body).digest('hex');

	it('accepts sha256=<hex> and bare hex of the raw body', () => {
		assert.equal(sign(body, secret), `sha256=${hex}`);
		assert.equal(verifySignature(body, `sha256=${hex}`, secret), true);
		assert.equal(verifySignature(new TextEncoder().encode(body), hex.toUpperCase(), secret), true);
	});

	it('rejects a wrong secret, a changed body, a missing or malformed header', () => {
		assert.equal(verifySignature(body, sign(body, 'other'), secret), false);
		assert.equal(verifySignature(body + ' ', `sha256=${hex}`, secret), false);
		assert.equal(verifySignature(body, null, secret), false);
		assert.equal(verifySignature(body, 'sha256=abc', secret), false);
		assert.equal(verifySignature(body, `sha256=${hex}`, ''), false);
	});

	it('recognises workflow ids', () => {
		assert.equal(isUuid('4f3c2a10-1b2c-4d5e-8f90-123456789abc'), true);
		assert.equal(isUuid('../etc/passwd'), false);
	});
});
