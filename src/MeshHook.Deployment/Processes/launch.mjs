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

// Each secret as it may appear in output: raw, JSON-escaped (with and without \u escapes of non-ASCII) and percent-encoded.
function secretForms(values) {
  const forms = new Set();
  for (const value of values) {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(JSON.stringify(value).slice(1, -1).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    forms.add(encodeURIComponent(value));
    forms.add(encodeURI(value));
    // The password of a URL-shaped secret on its own (a client may print the URL without it, or the password alone).
    try {
      const url = new URL(value);
      if (url.password) {
        forms.add(url.password);
        forms.add(decodeURIComponent(url.password));
      }
    } catch {}
  }
  return [...forms].filter((form) => form.length >= 3).sort((a, b) => b.length - a.length);
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
