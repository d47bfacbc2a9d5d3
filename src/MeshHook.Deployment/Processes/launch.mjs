// Starts a program detached from the deploying process: its own session (so a Ctrl+C or a killed build does not take
// it down), standard input closed, standard output and error appended to a log file. Prints the program's pid.
// Written out by MeshHook.Deployment and run as: node launch.mjs --log FILE [--env-file FILE] [--set K=V]... [--cwd DIR] -- PROGRAM ARGS...
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const options = { set: [] };
while (args.length > 0 && args[0] !== '--') {
  const name = args.shift();
  const value = args.shift();
  if (value === undefined) fail(`option ${name} needs a value`);
  if (name === '--log') options.log = value;
  else if (name === '--env-file') options.envFile = value;
  else if (name === '--cwd') options.cwd = value;
  else if (name === '--set') options.set.push(value);
  else fail(`unknown option ${name}`);
}
args.shift();
if (!options.log || args.length === 0) fail('usage: launch.mjs --log FILE [--env-file FILE] [--set K=V]... [--cwd DIR] -- PROGRAM ARGS...');

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

const log = openSync(options.log, 'a', 0o600);
const child = spawn(args[0], args.slice(1), { cwd: options.cwd, env, detached: true, stdio: ['ignore', log, log] });
child.on('error', (error) => fail(`cannot start ${args[0]}: ${error.message}`));
child.on('spawn', () => {
  process.stdout.write(`${child.pid}\n`);
  child.unref();
  process.exit(0);
});

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
