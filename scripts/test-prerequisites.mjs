// What the tests need beyond npm's packages, from Debian: Chromium for the console's browser tests,
// Python 3 with pytest, httpx and requests for the Python client's tests, and venv and setuptools
// for its offline install check. `npm test` (scripts/test.mjs) runs this first: what is missing is
// installed with apt-get when this user may (root, or sudo without a password); otherwise nothing
// runs and one line says the command that installs it.
//
//   node scripts/test-prerequisites.mjs            check (and install) everything the suite needs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CHROMIUM = '/usr/bin/chromium';

// Each Python module the tests import, with the Debian package that brings it.
const PYTHON_MODULES = [
  ['pytest', 'python3-pytest'],
  ['httpx', 'python3-httpx'],
  ['requests', 'python3-requests'],
  ['ensurepip', 'python3-venv'],
  ['setuptools', 'python3-setuptools'],
];

// apt-get may wait for another apt's lock, then download: bounded, never interactive.
const UPDATE_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const LOCK_WAIT_SECONDS = 120;

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Debian packages of `PYTHON_MODULES` whose module does not import (all of them without Python). */
function missingPythonPackages() {
  const probe =
    'import importlib, sys\nfor m in sys.argv[1:]:\n  try: importlib.import_module(m)\n  except Exception: print(m)';
  const r = spawnSync(PYTHON, ['-c', probe, ...PYTHON_MODULES.map(([m]) => m)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 60_000,
  });
  if (r.error || r.status !== 0) return ['python3', ...PYTHON_MODULES.map(([, pkg]) => pkg)];
  const missing = new Set(r.stdout.split('\n').filter(Boolean));
  return PYTHON_MODULES.filter(([m]) => missing.has(m)).map(([, pkg]) => pkg);
}

/**
 * The Debian packages missing for the chosen parts of the suite. CHROMIUM_PATH names another
 * browser: if it is not there, installing Debian's would not help, so that is an error of its own.
 */
export function missingPackages({ browser = true, python = true } = {}) {
  const missing = [];
  if (browser) {
    const custom = process.env.CHROMIUM_PATH;
    if (custom && !executable(custom)) {
      throw new Error(
        `CHROMIUM_PATH=${custom} is not an executable file: correct it, or unset it to use Debian's chromium`,
      );
    }
    if (!custom && !executable(CHROMIUM)) missing.push('chromium');
  }
  if (python) missing.push(...missingPythonPackages());
  return missing;
}

/** How this user can run apt-get: as root, through sudo without a password, or not at all. */
function aptPrefix() {
  if (!executable('/usr/bin/apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return sudo.status === 0 ? ['sudo', '-n'] : undefined;
}

function apt(prefix, args, timeout) {
  const [cmd, ...rest] = [...prefix, 'apt-get', '-q', '-y', '-o', `DPkg::Lock::Timeout=${LOCK_WAIT_SECONDS}`, ...args];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
  const r = spawnSync(cmd, rest, {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error?.code === 'ETIMEDOUT')
    return { ok: false, output: `${output}\napt-get ${args[0]} did not finish within ${timeout / 1000} s` };
  return { ok: r.status === 0, output: r.error ? `${output}\n${r.error.message}` : output };
}

/**
 * Makes sure the chosen parts of the suite can run. Returns an exit code: 0 when everything is
 * there (installed now if need be), 1 after saying on stderr what is missing and how to get it.
 */
export function ensurePrerequisites(parts) {
  let missing;
  try {
    missing = missingPackages(parts);
  } catch (err) {
    process.stderr.write(`npm test: ${err.message}\n`);
    return 1;
  }
  if (missing.length === 0) return 0;
  const command = `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`;
  const prefix = aptPrefix();
  if (!prefix) {
    const how = executable('/usr/bin/apt-get') ? `run: ${command}` : "install them with your system's package manager";
    process.stderr.write(
      `npm test: the tests need ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} missing; ${how}\n`,
    );
    return 1;
  }
  process.stderr.write(`npm test: installing Debian's ${missing.join(', ')} for the tests (apt-get, once)\n`);
  for (const step of [['update'], ['install', ...missing]]) {
    const r = apt(prefix, step, step[0] === 'update' ? UPDATE_TIMEOUT_MS : INSTALL_TIMEOUT_MS);
    if (!r.ok) {
      process.stderr.write(`${r.output.trimEnd().split('\n').slice(-40).join('\n')}\n`);
      process.stderr.write(`npm test: apt-get ${step[0]} failed (above); install them by hand: ${command}\n`);
      return 1;
    }
  }
  const still = missingPackages(parts);
  if (still.length > 0) {
    process.stderr.write(`npm test: ${still.join(', ')} still missing after apt-get install\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(ensurePrerequisites());
