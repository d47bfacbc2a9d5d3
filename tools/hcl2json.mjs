#!/usr/bin/env node
// Parses every Terraform/HCL file under a folder, offline, and prints ONE JSON object: relative path -> parsed file.
//   node tools/hcl2json.mjs <dir>
// Files: *.tf, *.tfvars, *.hcl (.terraform/ and node_modules/ are skipped). A file that does not parse is reported on
// stderr with its parser message (file:line:col) and the exit code is 1.
// Needs @cdktf/hcl2json: npm ci --prefix tools
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";

const root = process.argv[2];
if (!root) {
  console.error("usage: node tools/hcl2json.mjs <dir>");
  process.exit(2);
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".terraform" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(tf|tfvars|hcl)$/.test(entry.name) && !entry.name.endsWith(".lock.hcl")) yield full;
  }
}

const result = {};
const errors = [];
const files = [];
for await (const file of walk(path.resolve(root))) files.push(file);
files.sort();
for (const file of files) {
  const relative = path.relative(path.resolve(root), file).split(path.sep).join("/");
  try {
    result[relative] = await parse(relative, await readFile(file, "utf8"));
  } catch (error) {
    errors.push(`${relative}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (errors.length > 0) {
  for (const error of errors) console.error(error);
  process.exit(1);
}
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
