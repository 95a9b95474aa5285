import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { NativeKernels } from '@vjepa/base';

// The install script's fallbacks: whatever is missing, it exits 0 (an install never fails) and writes
// build/status.json with ok: false and the reason. Each case runs a copy of the package's scripts/ and
// native/ in a temp folder, so the package's own build is never touched.

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'vjepa-accelerate-build-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let copies = 0;

/** A fresh copy of the package's build inputs, with a stale addon from an earlier build in build/. */
function copyPackage(): string {
  const root = join(temp, `package-${copies++}`);
  for (const folder of ['scripts', 'native']) cpSync(join(packageRoot, folder), join(root, folder), { recursive: true });
  mkdirSync(join(root, 'build'));
  writeFileSync(join(root, 'build', 'vjepa_accelerate.node'), 'an addon of an earlier build');
  return root;
}

/** An executable shell script in a folder of its own (to put on PATH or name as CXX). */
function script(name: string, body: string): { dir: string; file: string } {
  const dir = join(temp, `bin-${copies++}`);
  mkdirSync(dir);
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return { dir, file };
}

/** Runs the copy's build script with exactly `env` (plus HOME); returns its exit status and status.json. */
function build(root: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.cjs')], { env: { HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8' });
  const status = JSON.parse(readFileSync(join(root, 'build', 'status.json'), 'utf8')) as { ok: boolean; reason: string; command?: string; blas?: string };
  return { code: result.status, stdout: result.stdout, status, addon: existsSync(join(root, 'build', 'vjepa_accelerate.node')) };
}

/** The real C++ compiler on this machine's PATH, if any. */
const realCompiler = ['c++', 'g++', 'clang++']
  .map((name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim())
  .find((path) => path !== '');

describe.runIf(process.platform === 'linux')('scripts/build.cjs never fails the install', () => {
  it('VJEPA_ACCELERATE_SKIP_BUILD=1: skipped, said so', () => {
    const run = build(copyPackage(), { PATH: process.env.PATH ?? '', VJEPA_ACCELERATE_SKIP_BUILD: '1' });
    expect(run).toMatchObject({ code: 0, addon: false, status: { ok: false, reason: 'VJEPA_ACCELERATE_SKIP_BUILD=1 was set' } });
    expect(run.stdout).toBe('@vjepa/accelerate: skipped — VJEPA_ACCELERATE_SKIP_BUILD=1 was set\n');
  });

  it('no compiler on PATH (and no CXX): exit 0, ok false, and what to install', () => {
    const empty = join(temp, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const run = build(copyPackage(), { PATH: empty });
    expect(run).toMatchObject({ code: 0, addon: false, status: { ok: false, reason: 'no C++ compiler (set CXX, or install g++ / clang++)' } });
  });

  it('a compiler that fails: exit 0, ok false, each attempt’s error line, the command, and the earlier addon removed', () => {
    const compiler = script('broken-c++', '[ "$1" = --version ] && exit 0\necho "native/addon.cc:1:1: error: this compiler is broken" >&2\nexit 1');
    const root = copyPackage();
    const run = build(root, { PATH: compiler.dir, CXX: compiler.file });
    expect(run.code).toBe(0);
    expect(run.addon).toBe(false);
    expect(run.status.ok).toBe(false);
    expect(run.status.reason).toBe(
      'compiling against OpenBLAS failed (on Debian/Ubuntu: apt-get install libopenblas-dev): native/addon.cc:1:1: error: this compiler is broken; ' +
        'compiling on its built-in GEMM failed: native/addon.cc:1:1: error: this compiler is broken',
    );
    expect(run.status.command).toContain(`${compiler.file} -O3`);
    expect(existsSync(join(root, 'build', 'vjepa_accelerate.node.partial'))).toBe(false);
  });

  it('VJEPA_BLAS: none compiles the built-in GEMM only (no -lopenblas); an unknown value is refused, exit 0', () => {
    const log = join(temp, 'compiler-args');
    const compiler = script('logging-c++', `[ "$1" = --version ] && exit 0\necho "$@" > ${log}\nexit 1`);
    const run = build(copyPackage(), { PATH: compiler.dir, CXX: compiler.file, VJEPA_BLAS: 'none' });
    expect(run.status.reason).toMatch(/^compiling on its built-in GEMM failed/);
    const args = readFileSync(log, 'utf8');
    expect(args).toContain('-DVJEPA_BUILTIN_GEMM');
    expect(args).not.toContain('-lopenblas');
    expect(args).toMatch(/native\/gemm\.cc/);
    const bogus = build(copyPackage(), { PATH: compiler.dir, CXX: compiler.file, VJEPA_BLAS: 'mkl' });
    expect(bogus).toMatchObject({ code: 0, addon: false, status: { ok: false, reason: 'VJEPA_BLAS=mkl: expected auto, system or none' } });
  });

  describe.runIf(realCompiler !== undefined)('no BLAS to link (the real compiler, with the BLAS swapped for a library that exists nowhere)', () => {
    const body = [
      `[ "$1" = --version ] && exec ${realCompiler} --version`,
      'for a do shift; if [ "$a" = -lopenblas ]; then set -- "$@" -lvjepa_missing_blas; else set -- "$@" "$a"; fi; done',
      `exec ${realCompiler} "$@"`,
    ].join('\n');

    it('by default: built on the addon’s own GEMM, which answers and multiplies', () => {
      const compiler = script('c++', body);
      const root = copyPackage();
      const run = build(root, { PATH: `${compiler.dir}:${process.env.PATH ?? ''}`, CXX: compiler.file });
      expect(run).toMatchObject({ code: 0, addon: true, status: { ok: true, blas: 'built-in' } });
      expect(run.status.reason).toMatch(
        /compiled with .* on its built-in GEMM \(compiling against OpenBLAS failed \(on Debian\/Ubuntu: apt-get install libopenblas-dev\): .*cannot find -lvjepa_missing_blas/,
      );
      const kernels = createRequire(import.meta.url)(join(root, 'build', 'vjepa_accelerate.node')) as NativeKernels;
      expect(kernels.blasInfo()).toMatch(/^built-in (AVX-512|AVX2|NEON|portable \(scalar\)) GEMM \(no BLAS/);
      expect(kernels.blasCore()).toMatch(/^built-in /);
      expect(kernels.setThreads(2)).toBe(2); // the pool splits the built-in GEMM too
      // [2, 3] · [3, 2]ᵀ (transB) into C with β = 1.
      const mem = new Uint8Array(256);
      const view = new Float32Array(mem.buffer);
      view.set([1, 2, 3, 4, 5, 6], 0); // A
      view.set([1, 0, 1, 2, 1, 0], 8); // B [2, 3]
      view.set([10, 20, 30, 40], 16); // C
      kernels.gemm(mem, 0, 1, 2, 2, 3, 1, 0, 3, 32, 3, 1, 64, 2);
      expect(Array.from(view.subarray(16, 20))).toEqual([14, 24, 40, 53]);
    });

    it('VJEPA_BLAS=system: exit 0, ok false, the linker’s "cannot find" line and the package to install', () => {
      const compiler = script('c++', body);
      const run = build(copyPackage(), { PATH: `${compiler.dir}:${process.env.PATH ?? ''}`, CXX: compiler.file, VJEPA_BLAS: 'system' });
      expect(run).toMatchObject({ code: 0, addon: false, status: { ok: false } });
      expect(run.status.reason).toMatch(/^compiling against OpenBLAS failed \(on Debian\/Ubuntu: apt-get install libopenblas-dev\): .*cannot find -lvjepa_missing_blas/);
    });
  });
});
