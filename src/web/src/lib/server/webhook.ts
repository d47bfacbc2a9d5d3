// HMAC-SHA256 verification of incoming webhooks (`x-meshhook-signature: sha256=<hex>` over the raw body).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-meshhook-signature';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
	return UUID_RE.test(value);
}

export function sign(body: string | Uint8Array, secret: string): string {
	return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/** Constant-time check; accepts `sha256=<hex>` or a bare hex digest. */
export function verifySignature(body: string | Uint8Array, header: string | null | undefined, secret: string): boolean {
	if (!header || !secret) return false;
	const given = header.trim().replace(/^sha256=/i, '').toLowerCase();
	if (!/^[0-9a-f]{64}$/.test(given)) return false;
	const expected = createHmac('sha256', secret).update(body).digest();
	return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}
