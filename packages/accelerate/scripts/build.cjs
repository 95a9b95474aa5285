#!/usr/bin/env node
// Builds the optional native kernels (N-API addon). Runs as the package's install script and NEVER
// fails the install: when no compiler or Node headers are found it writes the reason to
// build/status.json and exits 0, and @vjepa/core keeps tfjs's own wasm kernels.
// The matrix products: the system BLAS (OpenBLAS on Linux, Accelerate on macOS) where it links, else
// the addon's own vectorised GEMM (native/gemm.cc: AVX-512, AVX2 or NEON), so a C++ compiler alone
// gives the fast path. VJEPA_BLAS picks: `auto` (default: the system BLAS, else the built-in GEMM),
// `system` (the BLAS or nothing), `none` (the built-in GEMM even where a BLAS exists).
// Rerun by hand after installing a BLAS: `node node_modules/@vjepa/accelerate/scripts/build.cjs`.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const out = join(root, 'build');
const target = join(out, 'vjepa_accelerate.node');
const partial = `${target}.partial`;

function report(ok, reason, extra = {}) {
  mkdirSync(out, { recursive: true });
  // A failed or skipped build leaves no addon behind: the loader must not pick up an older one that
  // status.json no longer speaks for.
  if (!ok) rmSync(target, { force: true });
  writeFileSync(join(out, 'status.json'), JSON.stringify({ ok, reason, node: process.version, ...extra }, null, 2) + '\n');
  console.log(`@vjepa/accelerate: ${ok ? 'built' : 'skipped'} — ${reason}`);
  process.exit(0);
}

if (process.env.VJEPA_ACCELERATE_SKIP_BUILD === '1') report(false, 'VJEPA_ACCELERATE_SKIP_BUILD=1 was set');
if (process.platform !== 'linux' && process.platform !== 'darwin') report(false, `no build recipe for ${process.platform} (linux and macOS only)`);

function headerDir() {
  const candidates = [
    process.env.VJEPA_NODE_HEADERS,
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    join(process.env.HOME || '', '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

function findCompiler() {
  const names = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  return names.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
}

const compiler = findCompiler();
if (!compiler) report(false, 'no C++ compiler (set CXX, or install g++ / clang++)');
const headers = headerDir();
if (!headers) report(false, 'Node.js headers (node_api.h) not found; set VJEPA_NODE_HEADERS to their folder');

const sources = ['addon.cc', 'kernels.cc', 'gemm.cc', 'pool.cc'].map((file) => join(root, 'native', file));
const choice = (process.env.VJEPA_BLAS || 'auto').toLowerCase();
const CHOICES = { auto: ['system', 'builtin'], system: ['system'], none: ['builtin'] };
if (!CHOICES[choice]) report(false, `VJEPA_BLAS=${process.env.VJEPA_BLAS}: expected auto, system or none`);
const linkFlags = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
const GEMMS = {
  system:
    process.platform === 'darwin'
      ? { flags: ['-DVJEPA_APPLE_ACCELERATE', '-framework', 'Accelerate'], name: 'Apple Accelerate', what: 'against Apple Accelerate' }
      : { flags: ['-lopenblas'], name: 'OpenBLAS', what: 'against OpenBLAS', hint: ' (on Debian/Ubuntu: apt-get install libopenblas-dev)' },
  builtin: { flags: ['-DVJEPA_BUILTIN_GEMM'], name: 'built-in', what: 'on its built-in GEMM' },
};
const arch = process.env.VJEPA_ACCELERATE_MARCH ?? 'native';

/** The compiler's arguments for one GEMM. */
function commandFor(gemm) {
  return [
    '-O3',
    `-march=${arch}`,
    '-ffp-contract=off',
    '-fno-trapping-math',
    '-fPIC',
    '-shared',
    '-std=c++17',
    '-pthread',
    `-I${headers}`,
    '-DNODE_GYP_MODULE_NAME=vjepa_accelerate',
    ...sources,
    ...gemm.flags,
    ...linkFlags,
    '-o',
    partial,
  ];
}

/** The line of a failed compile that names the cause: a missing library or header first, else the first error. */
function cause(result) {
  const lines = (result.stderr || result.error?.message || '').split('\n');
  const detail = lines.find((line) => /cannot find -l|fatal error/i.test(line)) ?? lines.find((line) => /error/i.test(line)) ?? '';
  return detail.trim().slice(0, 300);
}

mkdirSync(out, { recursive: true });
const failures = [];
for (const gemm of CHOICES[choice].map((name) => GEMMS[name])) {
  const args = commandFor(gemm);
  const result = spawnSync(compiler, args, { encoding: 'utf8' });
  if (result.status === 0) {
    renameSync(partial, target); // whole or not at all: a process loading the addon never sees half a file
    const without = failures.length > 0 ? ` (${failures[0].text})` : choice === 'none' ? ' (VJEPA_BLAS=none)' : '';
    report(true, `${target} compiled with ${compiler} ${gemm.what}${without}`, { blas: gemm.name });
  }
  rmSync(partial, { force: true });
  failures.push({ text: `compiling ${gemm.what} failed${gemm.hint ?? ''}: ${cause(result)}`, command: [compiler, ...args].join(' ') });
}
report(false, failures.map((failure) => failure.text).join('; '), { command: failures[failures.length - 1].command });
