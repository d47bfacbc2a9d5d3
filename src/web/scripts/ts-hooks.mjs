// Module hooks: transpile-only TypeScript (types are checked by `npm run check`, not here).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
	try {
		return await next(specifier, context);
	} catch (e) {
		// extensionless relative imports, as the app writes them for Vite
		if ((specifier.startsWith('./') || specifier.startsWith('../')) && !/\.[cm]?[jt]s$/.test(specifier)) {
			return next(`${specifier}.ts`, context);
		}
		throw e;
	}
}

export async function load(url, context, next) {
	if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
	const fileName = fileURLToPath(url);
	const source = await readFile(fileName, 'utf8');
	const out = ts.transpileModule(source, {
		fileName,
		compilerOptions: {
			module: ts.ModuleKind.ESNext,
			target: ts.ScriptTarget.ES2022,
			sourceMap: false,
			inlineSourceMap: true
		}
	});
	return { format: 'module', source: out.outputText, shortCircuit: true };
}
