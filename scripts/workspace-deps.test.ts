import { describe, expect, it } from 'vitest';
import { dependencyProblems, optionalPeersOfDependencies, packageOf, scanSource, scanWorkspace, type PackageManifest } from './workspace-deps';

const manifest: PackageManifest = {
  name: '@vjepa/example',
  dependencies: { '@vjepa/core': 'workspace:^', '@vjepa/vit': 'workspace:^' },
  optionalDependencies: { '@ffmpeg-installer/ffmpeg': '1.1.0' },
  peerDependencies: { '@tensorflow/tfjs-core': '4.22.0' },
  devDependencies: { '@vjepa/masking': 'workspace:^', yaml: '2.9.1' },
};

describe('packageOf', () => {
  it.each([
    ['@vjepa/core', '@vjepa/core'],
    ['@tensorflow/tfjs-core/dist/ops', '@tensorflow/tfjs-core'],
    ['yaml', 'yaml'],
    ['lodash/fp', 'lodash'],
    ['./adamw', null],
    ['../x', null],
    ['node:fs', null],
    ['#gradients', null],
    ['fs', null],
  ])('%s → %s', (specifier, name) => {
    expect(packageOf(specifier)).toBe(name);
  });
});

describe('scanSource', () => {
  it('finds static, type, re-export, dynamic and require imports, not those in comments', () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import type { Module } from '@vjepa/core';",
      "export { AdamW } from '@vjepa/optim';",
      "const wasm = () => import('@tensorflow/tfjs-backend-wasm');",
      "require('@tensorflow/tfjs-layers');",
      "import { x } from './local';",
      '/** @example import { paramGroups } from "@vjepa/trainer"; */',
      "// import { nothing } from '@vjepa/probe';",
      "const NAME = '@ffmpeg-installer/ffmpeg';",
    ].join('\n');
    const scanned = scanSource('src/a.ts', text);
    expect([...scanned.packages].sort()).toEqual(['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@vjepa/core', '@vjepa/optim']);
    expect(scanned.literals.has('@ffmpeg-installer/ffmpeg')).toBe(true);
    expect(scanned.test).toBe(false);
    expect(scanSource('src/a.test.ts', '').test).toBe(true);
    expect(scanSource('src/toy.test-util.ts', '').test).toBe(true);
  });
});

describe('dependencyProblems', () => {
  const source = (text: string, file = 'src/index.ts') => scanSource(file, text);

  it('accepts a package whose runtime dependencies are all imported by its sources', () => {
    const files = [
      source("import { fail } from '@vjepa/core';\nimport { VisionTransformer } from '@vjepa/vit';\nimport * as tf from '@tensorflow/tfjs-core';"),
      source("const NPM_PACKAGE = '@ffmpeg-installer/ffmpeg';", 'src/ffmpeg.ts'),
      source("import { MaskCollator } from '@vjepa/masking';", 'src/x.test.ts'),
    ];
    expect(dependencyProblems(manifest, files)).toEqual([]);
  });

  it('reports a dependency only tests import, an undeclared @vjepa import and a dev-only import in a source', () => {
    const files = [
      source("import { fail } from '@vjepa/core';\nimport YAML from 'yaml';"),
      source("import { VisionTransformer } from '@vjepa/vit';\nimport { AdamW } from '@vjepa/optim';", 'src/features.test.ts'),
    ];
    expect(dependencyProblems(manifest, files)).toEqual([
      { package: '@vjepa/example', problem: 'unused', dependency: '@vjepa/vit' },
      { package: '@vjepa/example', problem: 'unused', dependency: '@ffmpeg-installer/ffmpeg' },
      { package: '@vjepa/example', problem: 'dev-only', dependency: 'yaml', file: 'src/index.ts' },
      { package: '@vjepa/example', problem: 'undeclared', dependency: '@vjepa/optim', file: 'src/features.test.ts' },
    ]);
  });

  it("counts a dependency that provides an optional peer of a workspace dependency (the CLI's backends) as used", () => {
    const core: PackageManifest = { name: '@vjepa/core', peerDependencies: { wasm: '1', node: '1' }, peerDependenciesMeta: { wasm: { optional: true } } };
    const cli: PackageManifest = { name: '@vjepa/cli', dependencies: { '@vjepa/core': 'workspace:^', wasm: '1', node: '1' } };
    const provided = optionalPeersOfDependencies(cli, [{ manifest: core }, { manifest: cli }]);
    expect([...provided]).toEqual(['wasm']);
    expect(dependencyProblems(cli, [source("import { fail } from '@vjepa/core';")], provided)).toEqual([
      { package: '@vjepa/cli', problem: 'unused', dependency: 'node' },
    ]);
  });

  it('does not let a string literal stand in for a regular dependency', () => {
    const files = [source("const name = '@vjepa/vit';\nimport { fail } from '@vjepa/core';\nconst f = '@ffmpeg-installer/ffmpeg';")];
    expect(dependencyProblems(manifest, files)).toEqual([{ package: '@vjepa/example', problem: 'unused', dependency: '@vjepa/vit' }]);
  });
});

describe('the workspace', () => {
  const packages = scanWorkspace(new URL('../packages', import.meta.url).pathname);

  it('has the published packages, each with sources', () => {
    const names = packages.map((p) => p.manifest.name);
    expect(names).toEqual(expect.arrayContaining(['@vjepa/core', '@vjepa/optim', '@vjepa/trainer', '@vjepa/probe', '@vjepa/cli']));
    for (const p of packages) expect(p.files.filter((f) => !f.test).length, p.manifest.name).toBeGreaterThan(0);
  });

  it('declares every package it imports and imports every runtime dependency it declares', () => {
    expect(packages.flatMap((p) => dependencyProblems(p.manifest, p.files, optionalPeersOfDependencies(p.manifest, packages)))).toEqual([]);
  });

  it('keeps @vjepa/probe off the trainer (DESIGN: a probe never depends on the trainer)', () => {
    const probe = packages.find((p) => p.manifest.name === '@vjepa/probe')!;
    const declared = { ...probe.manifest.dependencies, ...probe.manifest.peerDependencies, ...probe.manifest.optionalDependencies };
    expect(Object.keys(declared)).not.toContain('@vjepa/trainer');
    expect(probe.files.some((f) => f.packages.has('@vjepa/trainer'))).toBe(false);
  });
});
