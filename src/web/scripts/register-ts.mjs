// `node --import ./scripts/register-ts.mjs`: lets node:test import the app's pure TypeScript modules
// (src/lib/server/health.ts, webhook.ts) on Node 20 by transpiling them with the project's own `typescript`.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
