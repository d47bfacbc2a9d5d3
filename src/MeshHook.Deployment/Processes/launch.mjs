// Starts a program detached from the deploying process and prints the pid of its keeper, then exits.
// The keeper (this script again, with --keeper) leads its own session and process group (so a Ctrl+C or a killed build
// does not take it down), starts the program in that group with standard input closed, and copies the program's output
// to the log file (created 0600) through a masking stream: the values of the env file's secret keys (named with --mask,
// never given on the command line) are replaced by *** in their raw, JSON-escaped and percent-encoded forms. When the
// program ends, the keeper writes how (exit code or signal) to the log and to the --exit-file, and ends with it.
// Written out by MeshHook.Deployment and run as:
//   node launch.mjs --log FILE [--exit-file FILE] [--env-file FILE] [--mask KEY]... [--set K=V]... [--cwd DIR] -- PROGRAM ARGS...
import { spawn } from 'node:child_process';
import { chmodSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const keeper = argv[0] === '--keeper';
const args = keeper ? argv.slice(1) : [...argv];
const options = { set: [], mask: [] };
while (args.length > 0 && args[0] !== '--') {
  const name = args.shift();
  const value = args.shift();
  if (value === undefined) fail(`option ${name} needs a value`);
  if (name === '--log') options.log = value;
  else if (name === '--exit-file') options.exitFile = value;
  else if (name === '--env-file') options.envFile = value;
  else if (name === '--cwd') options.cwd = value;
  else if (name === '--set') options.set.push(value);
  else if (name === '--mask') options.mask.push(value);
  else fail(`unknown option ${name}`);
}
args.shift();
if (!options.log || args.length === 0) fail('usage: launch.mjs --log FILE [--exit-file FILE] [--env-file FILE] [--mask KEY]... [--set K=V]... [--cwd DIR] -- PROGRAM ARGS...');

if (!keeper) {
  // Start the keeper in its own session; report its pid (the process group the supervisor stops) once it runs.
  const self = spawn(process.execPath, [fileURLToPath(import.meta.url), '--keeper', ...argv], { detached: true, stdio: 'ignore' });
  self.on('error', (error) => fail(`cannot start the keeper: ${error.message}`));
  self.on('spawn', () => {
    process.stdout.write(`${self.pid}\n`);
    self.unref();
    process.exit(0);
  });
} else {
  keep();
}

function keep() {
  // Only what a program needs from the deploying process; the rest (keys, tokens of the build) stays behind.
  const env = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ']) if (process.env[name] !== undefined) env[name] = process.env[name];
  // Opt-in tie to a test run (tests/Shared/TestRunOwner.cs, src/workers/testing/test-run-owner.mjs): the run's guard kills
  // the programs carrying this mark when the run ends, however it ends. Real deploys never set it.
  if (process.env.MESHHOOK_TEST_OWNER !== undefined) env.MESHHOOK_TEST_OWNER = process.env.MESHHOOK_TEST_OWNER;
  if (options.envFile) {
    for (const line of readFileSync(options.envFile, 'utf8').split('\n')) {
      const index = line.indexOf('=');
      if (line.trim() === '' || line.startsWith('#') || index < 1) continue;
      env[line.slice(0, index)] = unquote(line.slice(index + 1));
    }
  }
  for (const pair of options.set) {
    const index = pair.indexOf('=');
    if (index < 1) fail(`--set needs KEY=VALUE, got ${pair}`);
    env[pair.slice(0, index)] = pair.slice(index + 1);
  }
  const masks = secretForms(options.mask.map((key) => env[key]).filter((value) => typeof value === 'string' && value.trim().length >= 3));

  const log = openSync(options.log, 'a', 0o600);
  chmodSync(options.log, 0o600); // a log made by an older launcher may be 0644
  const write = (text) => writeSync(log, text);
  const masked = (text) => masks.reduce((result, form) => result.split(form).join('***'), text);
  // The keeper stays for the program's output and its end; stopping is for the supervisor (SIGKILL to the group).
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});

  const child = spawn(args[0], args.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pending = { stdout: '', stderr: '' };
  const pump = (name) => (chunk) => {
    // Whole lines are masked, so a secret split across two chunks is still found; a very long line is flushed anyway.
    const text = pending[name] + chunk.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0 && text.length < 65536) { pending[name] = text; return; }
    const cut = end < 0 ? text.length : end + 1;
    write(masked(text.slice(0, cut)));
    pending[name] = text.slice(cut);
  };
  child.stdout.on('data', pump('stdout'));
  child.stderr.on('data', pump('stderr'));
  child.on('error', (error) => finish(`cannot start ${args[0]}: ${error.message}`, 127));
  const ended = (code, signal) => [signal ? `${args[0]} was stopped by ${signal}` : `${args[0]} exited with code ${code}`, code ?? 128];
  child.on('close', (code, signal) => finish(...ended(code, signal)));
  // 'close' waits until every holder of the output pipe is gone; a program that exits and leaves a child holding it would
  // keep its keeper (and so its record) alive and its end unrecorded. Once the program has exited, its remaining output
  // gets a short while to arrive, then the end is recorded all the same (what is left of the group is the supervisor's).
  child.on('exit', (code, signal) => setTimeout(() => finish(...ended(code, signal)), 2000).unref());

  let finished = false;
  function finish(how, code) {
    if (finished) return;
    finished = true;
    for (const name of ['stdout', 'stderr']) if (pending[name]) write(masked(pending[name]) + '\n');
    write(`launch.mjs: ${how}\n`);
    closeSync(log);
    if (options.exitFile) writeFileSync(options.exitFile, `${how}\n`, { mode: 0o600 });
    process.exit(code);
  }
}

// Each secret as it may appear in output, the same forms the build's masker registers (MeshHook.Tooling.SecretEncodings):
// the value and its parts (each line, the value without surrounding quotes, the user info and password of every URL in
// it), each raw, JSON-escaped (System.Text.Json's default in upper- and lower-case hex, and node's relaxed form),
// command-line escaped, XML/HTML escaped, percent-encoded (three sets of safe characters, %20 or +, either hex case) and
// in base64 wherever it starts in a longer stream (standard and URL-safe alphabets).
function secretForms(values) {
  const forms = new Set();
  for (const value of values)
    for (const part of secretParts(value))
      for (const form of encodedForms(part)) forms.add(form);
  return [...forms].filter((form) => form.length >= 3).sort((a, b) => b.length - a.length);
}

function secretParts(value) {
  const parts = [value];
  if (value.includes('\n')) parts.push(...value.split('\n').map((line) => line.replace(/\r$/, '')));
  for (const part of [...parts]) {
    if (part.length > 2 && ((part[0] === '"' && part.at(-1) === '"') || (part[0] === "'" && part.at(-1) === "'"))) parts.push(part.slice(1, -1));
    // scheme://userinfo@ : the user info ends at the last '@' before the path (a password may hold an unescaped '@').
    for (const match of part.matchAll(/[A-Za-z][A-Za-z0-9+.\-]*:\/\/([^/?#\s@]*(?:@[^/?#\s@]*)*)@/g)) {
      const userInfo = match[1];
      parts.push(userInfo, unescape(userInfo));
      const colon = userInfo.indexOf(':');
      if (colon >= 0) parts.push(userInfo.slice(colon + 1), unescape(userInfo.slice(colon + 1)));
    }
  }
  return [...new Set(parts.filter((part) => part.length > 0))];
}

function unescape(text) {
  try { return decodeURIComponent(text); } catch { return text; }
}

function encodedForms(value) {
  const json = jsonEscape(value);
  const forms = [
    value,
    json,
    json.replace(/\\u[0-9A-F]{4}/g, (escape) => escape.toLowerCase()),
    JSON.stringify(value).slice(1, -1),
    JSON.stringify(value).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    value.replaceAll('"', '\\"'),
    value.replaceAll('\\', '\\\\').replaceAll('"', '\\"'),
    value.replaceAll("'", "'\\''"),
    value.replace(/[<>"'&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '&': '&amp;' })[c]),
    value.replace(/[<>"'&\u00a0-\u00ff]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '&': '&amp;' })[c] ?? `&#${c.charCodeAt(0)};`),
  ];
  for (const safe of ['-_.~', "-_.!~*'()", '-_.!*()'])
    for (const plus of [false, true])
      for (const upper of [true, false]) forms.push(percentEncode(value, safe, plus, upper));
  forms.push(...base64Forms(value));
  return forms;
}

// System.Text.Json's default escaping: " \ and controls, the HTML-sensitive & ' + < > `, and everything beyond ASCII.
function jsonEscape(value) {
  const short = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
  let result = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const code = value.charCodeAt(i);
    if (short[c]) result += short[c];
    else if (code < 0x20 || code > 0x7e || '&\'+<>`'.includes(c)) result += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else result += c;
  }
  return result;
}

function percentEncode(value, safe, plusForSpace, upperCase) {
  let result = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && (/[A-Za-z0-9]/.test(c) || safe.includes(c))) result += c;
    else if (c === ' ' && plusForSpace) result += '+';
    else {
      const hex = byte.toString(16).padStart(2, '0');
      result += '%' + (upperCase ? hex.toUpperCase() : hex);
    }
  }
  return result;
}

// The value's base64 at a byte offset of 0, 1 or 2 in a longer stream: only the stable middle (the edge characters mix in
// the neighbouring bytes), plus the value encoded alone with its padding.
function base64Forms(value) {
  const bytes = Buffer.from(value, 'utf8');
  const urlSafe = (text) => text.replaceAll('+', '-').replaceAll('/', '_');
  const forms = [bytes.toString('base64'), urlSafe(bytes.toString('base64'))];
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = shifted.toString('base64').replace(/=+$/, '');
    const skip = offset === 0 ? 0 : offset + 1;
    const drop = shifted.length % 3 === 0 ? 0 : 1;
    if (encoded.length - skip - drop <= 0) continue;
    const stable = encoded.slice(skip, encoded.length - drop);
    forms.push(stable, urlSafe(stable));
  }
  return forms;
}

// Values are written with POSIX shell quoting (KEY='it'\''s'): single-quoted runs are literal, \x is x.
function unquote(value) {
  let result = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "'") {
      const end = value.indexOf("'", i + 1);
      if (end < 0) fail('unterminated quote in the env file');
      result += value.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && i + 1 < value.length) {
      result += value[++i];
    } else {
      result += c;
    }
  }
  return result;
}

function fail(message) {
  process.stderr.write(`launch.mjs: ${message}\n`);
  process.exit(2);
}
