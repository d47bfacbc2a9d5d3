#!/usr/bin/env node
// Checks a Terraform configuration against the real provider schemas, offline (no provider binary, no terraform init).
//   node tools/terraform-schema-check.mjs <infra-dir> [--command-line-variable NAME]...
// The schemas come from the pinned @cdktf/provider-{azurerm,azuread,github} packages: their .jsii assemblies are
// generated from `terraform providers schema -json`, so every resource, data source, argument, nested block and
// computed attribute of the exact provider version is in them (read in place, nothing generated is committed).
// Reports, as "file:line: message" on stdout (exit 1 when there is any):
//   - resource / data source types and provider blocks the provider does not have;
//   - arguments and nested blocks a type does not have, or written as an argument where the schema has a block
//     (and the reverse), and required arguments / blocks that are missing;
//   - references type.name.attr (and data.type.name.attr) naming an undeclared resource or an attribute that does
//     not exist (nested: attr[0].sub);
//   - module calls passing undeclared variables or missing required ones; .tfvars setting undeclared variables or
//     missing required ones (except those given with --command-line-variable);
//   - required_providers versions that are not pinned exactly to the version of the schema checked.
// Needs: npm ci --prefix tools
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const root = args.find((x, i) => !x.startsWith("--") && args[i - 1] !== "--command-line-variable");
if (!root) {
  console.error("usage: node tools/terraform-schema-check.mjs <infra-dir> [--command-line-variable NAME]...");
  process.exit(2);
}
const commandLineVariables = new Set(args.filter((_, i) => args[i - 1] === "--command-line-variable"));

// ---------------------------------------------------------------------------------------------------------------
// Provider schemas from the jsii assemblies.
const PROVIDER_PACKAGES = {
  azurerm: "@cdktf/provider-azurerm",
  azuread: "@cdktf/provider-azuread",
  github: "@cdktf/provider-github",
};

const camel = (snake) => snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const LINK = /\{@link https:\/\/registry\.terraform\.io\/providers\/([^/]+\/[^/]+)\/([^/]+)\/docs(?:\/(resources|data-sources)\/[^ ]+)? ([^}]+)\}/;

function loadProvider(localName) {
  const file = require.resolve(`${PROVIDER_PACKAGES[localName]}/.jsii`);
  const assembly = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
  const types = assembly.types;
  const structOf = (type) => {
    if (!type) return null;
    if (type.fqn) return types[type.fqn]?.datatype ? type.fqn : null;
    if (type.collection) return structOf(type.collection.elementtype);
    if (type.union) for (const member of type.union.types) { const found = structOf(member); if (found) return found; }
    return null;
  };
  // Computed attributes of a class (resource, data source, block output reference): its getters, less the *Input ones.
  const outputsOf = (fqn) => {
    const cls = types[fqn];
    if (!cls) return null;
    const names = new Set((cls.properties ?? []).filter((p) => !p.static).map((p) => p.name));
    const result = new Map();
    for (const p of cls.properties ?? []) {
      if (p.static || (p.name.endsWith("Input") && names.has(p.name.slice(0, -5)))) continue;
      let nested = null;
      if (p.type.fqn && types[p.type.fqn]?.kind === "class") {
        // A block's output: FooOutputReference (single) or FooList (its items are FooOutputReference).
        nested = p.type.fqn.endsWith("List") ? p.type.fqn.slice(0, -4) + "OutputReference" : p.type.fqn;
        if (!types[nested]) nested = null;
      }
      result.set(p.name, nested);
    }
    return result;
  };
  // Arguments and blocks of a struct: terraform name => {kind: attribute|block|either, required, struct}.
  const structs = new Map();
  const schemaOf = (fqn) => {
    if (structs.has(fqn)) return structs.get(fqn);
    const entries = new Map();
    structs.set(fqn, entries);
    for (const p of types[fqn].properties ?? []) {
      const text = `${p.docs?.summary ?? ""} ${p.docs?.remarks ?? ""}`;
      const anchor = /#([A-Za-z0-9_]+) /.exec(text.slice(text.indexOf("Docs at Terraform Registry")));
      const name = anchor ? anchor[1] : p.name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
      const struct = structOf(p.type);
      const isBlock = / block\.$/.test(p.docs?.summary ?? "");
      // Struct types without "X block." are attributes-as-blocks (SDK ConfigModeAttr): either syntax is accepted.
      const kind = struct ? (isBlock ? "block" : "either") : "attribute";
      entries.set(name, { kind, required: !p.optional, struct, camel: p.name });
    }
    return entries;
  };
  const resources = new Map();
  const dataSources = new Map();
  let provider = null;
  for (const [fqn, cls] of Object.entries(types)) {
    if (cls.kind !== "class") continue;
    const link = LINK.exec(cls.docs?.summary ?? "");
    if (!link) continue;
    const config = cls.initializer?.parameters?.[2]?.type?.fqn;
    if (!config) continue;
    const entry = { fqn, config, source: link[1], version: link[2] };
    if (cls.base === "cdktf.TerraformResource" && link[3] === "resources") resources.set(link[4], entry);
    else if (cls.base === "cdktf.TerraformDataSource" && link[3] === "data-sources") dataSources.set(link[4], entry);
    else if (cls.base === "cdktf.TerraformProvider") provider = entry;
  }
  return { localName, resources, dataSources, provider, schemaOf, outputsOf, packageVersion: assembly.version };
}

const providers = {};
const providerFor = (type) => {
  const prefix = type.split("_")[0];
  if (!PROVIDER_PACKAGES[prefix]) return null;
  return (providers[prefix] ??= loadProvider(prefix));
};

// ---------------------------------------------------------------------------------------------------------------
// An outline of each HCL file with line numbers: blocks (type, labels, line, body) and attributes (name, line,
// expression text without comments). hcl2json parses first, so a syntax error is reported with its own position.
function outline(text) {
  let i = 0;
  let line = 1;
  const n = text.length;
  const peek = (k = 0) => text[i + k];
  const advance = () => { if (text[i] === "\n") line++; i++; };
  const skipSpaceAndComments = (newlines) => {
    for (;;) {
      const c = peek();
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) advance();
      else if (c === "#" || (c === "/" && peek(1) === "/")) { while (i < n && peek() !== "\n") advance(); }
      else if (c === "/" && peek(1) === "*") { advance(); advance(); while (i < n && !(peek() === "*" && peek(1) === "/")) advance(); advance(); advance(); }
      else return;
    }
  };
  // Reads a quoted string starting at the opening quote; returns its raw text (with template expressions).
  const readString = () => {
    const start = i;
    advance();
    while (i < n && peek() !== '"') {
      if (peek() === "\\") { advance(); advance(); continue; }
      if ((peek() === "$" || peek() === "%") && peek(1) === "{") { advance(); advance(); readExpression("}"); advance(); continue; }
      advance();
    }
    advance();
    return text.slice(start, i);
  };
  const readHeredoc = () => {
    const start = i;
    const marker = /^<<-?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 200))[1];
    const end = new RegExp(`\\n[ \\t]*${marker}[ \\t]*(?=\\r?\\n|$)`, "g");
    end.lastIndex = i;
    const found = end.exec(text);
    const stop = found ? found.index + found[0].length : n;
    while (i < stop) advance();
    return text.slice(start, i);
  };
  // Reads an expression up to the end of the line at depth 0 (or up to `closer` at depth 0); returns its text.
  const readExpression = (closer) => {
    let out = "";
    let depth = 0;
    while (i < n) {
      const c = peek();
      if (depth === 0 && closer && c === closer) break;
      if (depth === 0 && !closer && c === "\n") break;
      if (c === "#" || (c === "/" && (peek(1) === "/" || peek(1) === "*"))) { skipSpaceAndComments(false); continue; }
      if (c === '"') { out += readString(); continue; }
      if (c === "<" && peek(1) === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) { out += readHeredoc(); continue; }
      if (c === "(" || c === "[" || c === "{") depth++;
      if (c === ")" || c === "]" || c === "}") depth--;
      out += c;
      advance();
    }
    return out.trim();
  };
  const readBody = (closer) => {
    const body = { attributes: new Map(), blocks: [] };
    for (;;) {
      skipSpaceAndComments(true);
      if (i >= n) return body;
      if (closer && peek() === "}") { advance(); return body; }
      const start = line;
      const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 200));
      if (!id) { advance(); continue; }
      for (let k = 0; k < id[0].length; k++) advance();
      skipSpaceAndComments(false);
      if (peek() === "=" && peek(1) !== "=") {
        advance();
        skipSpaceAndComments(false);
        body.attributes.set(id[0], { name: id[0], line: start, expression: readExpression(null) });
        continue;
      }
      const labels = [];
      while (peek() === '"' || /[A-Za-z_]/.test(peek() ?? "")) {
        if (peek() === '"') labels.push(readString().slice(1, -1));
        else { const l = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 200))[0]; for (let k = 0; k < l.length; k++) advance(); labels.push(l); }
        skipSpaceAndComments(false);
      }
      if (peek() !== "{") { while (i < n && peek() !== "\n") advance(); continue; }
      advance();
      const inner = readBody(true);
      body.blocks.push({ type: id[0], labels, line: start, ...inner });
    }
  };
  return readBody(false);
}

// ---------------------------------------------------------------------------------------------------------------
const findings = [];
const report = (file, line, message) => findings.push({ file, line, message });

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".terraform" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(tf|tfvars)$/.test(entry.name)) yield full;
  }
}

const base = path.resolve(root);
const files = [];
for await (const file of walk(base)) files.push(file);
files.sort();

const parsed = new Map(); // relative path => outline
let syntaxErrors = false;
for (const file of files) {
  const relative = path.relative(base, file).split(path.sep).join("/");
  const text = await readFile(file, "utf8");
  try {
    await parse(relative, text);
  } catch (error) {
    syntaxErrors = true;
    report(relative, 0, `does not parse: ${error instanceof Error ? error.message : String(error)}`);
    continue;
  }
  parsed.set(relative, outline(text));
}

// Modules: folders with .tf files.
const modules = new Map(); // dir ("" or "modules/x/") => {files: [[relative, outline]]}
for (const [relative, body] of parsed) {
  if (!relative.endsWith(".tf")) continue;
  const dir = relative.includes("/") ? relative.slice(0, relative.lastIndexOf("/") + 1) : "";
  if (!modules.has(dir)) modules.set(dir, { files: [] });
  modules.get(dir).files.push([relative, body]);
}
const blocksOf = (module, type) => module.files.flatMap(([file, body]) => body.blocks.filter((b) => b.type === type).map((b) => ({ file, block: b })));
const variablesOf = (module) => new Map(blocksOf(module, "variable").map(({ block }) => [block.labels[0], !block.attributes.has("default")]));

const RESOURCE_META = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);
const MODULE_META = new Set(["source", "version", "count", "for_each", "depends_on", "providers"]);

// Checks one body against a struct schema: unknown names, argument/block syntax, required ones present.
function checkBody(file, where, body, schema, provider, topLevel) {
  for (const attribute of body.attributes.values()) {
    if (topLevel && RESOURCE_META.has(attribute.name)) continue;
    const entry = schema.get(attribute.name);
    if (!entry) report(file, attribute.line, `${where}: "${attribute.name}" is not an argument of ${where.split(" ")[0]}`);
    else if (entry.kind === "block") report(file, attribute.line, `${where}: "${attribute.name}" is a block: write ${attribute.name} { ... }, not ${attribute.name} = ...`);
  }
  const present = new Set(body.attributes.keys());
  for (const block of body.blocks) {
    let name = block.type;
    let inner = block;
    if (block.type === "dynamic") {
      name = block.labels[0];
      inner = block.blocks.find((b) => b.type === "content") ?? { attributes: new Map(), blocks: [] };
    }
    present.add(name);
    if (topLevel && (RESOURCE_META.has(name) && block.type !== "dynamic")) continue;
    const entry = schema.get(name);
    if (!entry) { report(file, block.line, `${where}: "${name}" is not a block of ${where.split(" ")[0]}`); continue; }
    if (entry.kind === "attribute") { report(file, block.line, `${where}: "${name}" is an argument: write ${name} = ..., not a ${name} { ... } block`); continue; }
    checkBody(file, `${where.split(" ")[0]} ${name}`, inner, provider.schemaOf(entry.struct), provider, false);
  }
  for (const [name, entry] of schema) {
    // Required attributes only: a required block may be produced by a dynamic block elsewhere, counted in `present`.
    if (entry.required && !present.has(name)) report(file, body.line ?? 0, `${where}: the required ${entry.kind === "block" ? "block" : "argument"} "${name}" is missing`);
  }
}

for (const [dir, module] of modules) {
  const declaredResources = new Map(); // "type.name" and "data.type.name" => type schema entry + provider
  for (const kind of ["resource", "data"]) {
    for (const { file, block } of blocksOf(module, kind)) {
      const [type, name] = block.labels;
      // Terraform's built-in types (terraform_remote_state, terraform_data) have no provider schema to check.
      if (type.startsWith("terraform_")) continue;
      const provider = providerFor(type);
      const what = kind === "resource" ? "resource" : "data source";
      if (!provider) { report(file, block.line, `${what} type "${type}" belongs to no checked provider (azurerm, azuread, github)`); continue; }
      const entry = (kind === "resource" ? provider.resources : provider.dataSources).get(type);
      if (!entry) { report(file, block.line, `${provider.localName} ${provider.provider?.version ?? ""} has no ${what} type "${type}"`); continue; }
      declaredResources.set(kind === "resource" ? `${type}.${name}` : `data.${type}.${name}`, { entry, provider });
      checkBody(file, `${type} "${name}"`, block, provider.schemaOf(entry.config), provider, true);
    }
  }
  for (const { file, block } of blocksOf(module, "provider")) {
    const provider = providerFor(`${block.labels[0]}_x`);
    if (!provider?.provider) { report(file, block.line, `provider "${block.labels[0]}" is not a checked provider`); continue; }
    const schema = provider.schemaOf(provider.provider.config);
    const body = { ...block, attributes: new Map([...block.attributes].filter(([k]) => k !== "alias")) };
    checkBody(file, `provider "${block.labels[0]}"`, body, schema, provider, false);
  }
  // Exact version pins in required_providers, equal to the schema's provider version.
  for (const { file, block } of blocksOf(module, "terraform")) {
    for (const required of block.blocks.filter((b) => b.type === "required_providers")) {
      for (const attribute of required.attributes.values()) {
        const provider = PROVIDER_PACKAGES[attribute.name] ? providerFor(`${attribute.name}_x`) : null;
        if (!provider?.provider) continue;
        const version = /version\s*=\s*"([^"]*)"/.exec(attribute.expression)?.[1];
        const source = /source\s*=\s*"([^"]*)"/.exec(attribute.expression)?.[1];
        if (source && source.toLowerCase() !== provider.provider.source.toLowerCase())
          report(file, attribute.line, `required_providers.${attribute.name}: source "${source}" is not "${provider.provider.source}", whose schema is checked`);
        if (version !== undefined && version.replace(/^=\s*/, "") !== provider.provider.version)
          report(file, attribute.line, `required_providers.${attribute.name}: version "${version}" must be exactly "= ${provider.provider.version}", the version whose schema is checked (${PROVIDER_PACKAGES[attribute.name]} ${provider.packageVersion})`);
      }
    }
  }

  // References: [data.]type.name[index].attr[...].sub
  const reference = /(?<![\w.\-"])(data\.)?((?:azurerm|azuread|github)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(\[[^\]]*\])?\.([A-Za-z_][\w]*)((?:\[[^\]]*\])?\.([A-Za-z_][\w]*))?/g;
  for (const [file, body] of module.files) {
    const visit = (b) => {
      for (const attribute of b.attributes.values()) {
        for (const m of attribute.expression.matchAll(reference)) {
          const [, data, type, name, , attr, , sub] = m;
          const key = `${data ? "data." : ""}${type}.${name}`;
          const declared = declaredResources.get(key);
          if (!declared) { report(file, attribute.line, `${m[0]}: ${key} is not declared in ${dir || "the root module"}`); continue; }
          const outputs = declared.provider.outputsOf(declared.entry.fqn);
          const args = declared.provider.schemaOf(declared.entry.config);
          if (!outputs.has(camel(attr)) && !args.has(attr)) { report(file, attribute.line, `${m[0]}: ${type} has no attribute "${attr}"`); continue; }
          const nested = outputs.get(camel(attr));
          if (sub && nested) {
            const inner = declared.provider.outputsOf(nested);
            if (inner && !inner.has(camel(sub))) report(file, attribute.line, `${m[0]}: block "${attr}" of ${type} has no attribute "${sub}"`);
          }
        }
      }
      b.blocks.forEach(visit);
    };
    visit(body);
  }

  // Module calls: only declared variables, every required one.
  for (const { file, block } of blocksOf(module, "module")) {
    const source = /^"(\.\.?\/[^"]*)"$/.exec(block.attributes.get("source")?.expression ?? "")?.[1];
    if (!source) continue;
    const target = path.posix.normalize(path.posix.join(dir, source)) + "/";
    const called = modules.get(target === "./" ? "" : target);
    if (!called) { report(file, block.line, `module "${block.labels[0]}": ${source} holds no .tf files`); continue; }
    const variables = variablesOf(called);
    for (const attribute of block.attributes.values()) {
      if (MODULE_META.has(attribute.name)) continue;
      if (!variables.has(attribute.name)) report(file, attribute.line, `module "${block.labels[0]}" passes "${attribute.name}", which ${target} does not declare`);
    }
    for (const [name, required] of variables) {
      if (required && !block.attributes.has(name)) report(file, block.line, `module "${block.labels[0]}" does not pass the required variable "${name}" of ${target}`);
    }
  }
}

// tfvars belong to the nearest folder above them that holds .tf files.
for (const [relative, body] of parsed) {
  if (!relative.endsWith(".tfvars")) continue;
  let dir = relative.includes("/") ? relative.slice(0, relative.lastIndexOf("/") + 1) : "";
  while (!modules.has(dir) && dir !== "") dir = dir.slice(0, dir.slice(0, -1).lastIndexOf("/") + 1);
  const module = modules.get(dir);
  if (!module) continue;
  const variables = variablesOf(module);
  for (const attribute of body.attributes.values())
    if (!variables.has(attribute.name)) report(relative, attribute.line, `sets "${attribute.name}", which ${dir || "the root module"} does not declare`);
  for (const [name, required] of variables)
    if (required && !body.attributes.has(name) && !commandLineVariables.has(name)) report(relative, 1, `does not set the required variable "${name}" of ${dir || "the root module"}`);
}

for (const f of findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) console.log(`${f.file}:${f.line}: ${f.message}`);
const checked = Object.values(providers).map((p) => `${p.localName} ${p.provider?.version}`).join(", ");
console.error(`checked ${parsed.size} files against ${checked || "no provider"}: ${findings.length} finding(s)`);
process.exit(findings.length > 0 || syntaxErrors ? 1 : 0);
