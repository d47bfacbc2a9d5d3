import { execFileSync } from 'node:child_process';
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// The app's version name is baked into chunk names and _app/version.json. SvelteKit's default is the build time, so two
// builds of one commit differed. The build passes MESHHOOK_SOURCE_HASH (a hash of the web sources and lock file);
// a plain `npm run build` uses the commit, and only outside git falls back to a fixed name.
function versionName() {
	if (process.env.MESHHOOK_SOURCE_HASH) return process.env.MESHHOOK_SOURCE_HASH.slice(0, 16);
	try {
		return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().slice(0, 16);
	} catch {
		return 'unversioned';
	}
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// `node build/index.js` (env PORT, HOST, ORIGIN, SHUTDOWN_TIMEOUT, BODY_SIZE_LIMIT ...).
		// Nothing is baked in at build time: all configuration is read at run time through
		// $env/dynamic/* (never $env/static/*), so one build is promoted unchanged through every environment.
		adapter: adapter({ out: 'build', precompress: false }),
		version: { name: versionName() }
	}
};

export default config;
