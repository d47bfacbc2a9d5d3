import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// `node build/index.js` (env PORT, HOST, ORIGIN, SHUTDOWN_TIMEOUT, BODY_SIZE_LIMIT ...).
		// Nothing is baked in at build time: all configuration is read at run time through
		// $env/dynamic/* (never $env/static/*), so one build is promoted unchanged through every environment.
		adapter: adapter({ out: 'build', precompress: false })
	}
};

export default config;
