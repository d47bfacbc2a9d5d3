import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(APP_TESTS_DIR, '../..');
export const SRC_DIR = path.join(REPO_ROOT, 'src');
export const SUPABASE_DIR = path.join(SRC_DIR, 'supabase');
export const WEB_DIR = path.join(SRC_DIR, 'web');
export const WORKERS_DIR = path.join(SRC_DIR, 'workers');

// What the end-to-end test runs: the in-tree builds by default, or assembled release folders
// (e.g. artifacts/build/web with build/ + production node_modules, artifacts/build/workers).
export const E2E_WEB_DIR = path.resolve(process.env.MESHHOOK_WEB_DIR || WEB_DIR);
export const E2E_WORKERS_DIR = path.resolve(process.env.MESHHOOK_WORKERS_DIR || WORKERS_DIR);
