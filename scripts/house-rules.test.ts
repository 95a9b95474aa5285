import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  cliImports,
  directErrorClasses,
  extensionImports,
  houseRuleFindings,
  importCycles,
  stateJsonReaders,
  type Source,
} from './house-rules';

const src = (path: string, ...lines: string[]): Source => ({ path, text: lines.join('\n') });

describe('importCycles', () => {
  it('finds a type-only circle through an index file, once', () => {
    const sources = [
      src('p/src/a.ts', "import type { B } from './b';"),
      src('p/src/b.ts', "import { c } from './c/index';", "export type B = 1;"),
      src('p/src/c/index.ts', "export { a } from '../a';"),
      src('p/src/d.ts', "import { a } from './a';"),
    ];
    expect(importCycles(sources)).toEqual([{ file: 'p/src/a.ts', problem: 'import circle p/src/a.ts → p/src/b.ts → p/src/c/index.ts → p/src/a.ts' }]);
  });

  it('accepts a diamond (two paths to one file are no circle) and packages', () => {
    const sources = [
      src('p/src/a.ts', "import './b';", "import './c';", "import '@vjepa/core';"),
      src('p/src/b.ts', "import './d';"),
      src('p/src/c.ts', "import './d';"),
      src('p/src/d.ts', ''),
    ];
    expect(importCycles(sources)).toEqual([]);
  });
});

describe('the other rules', () => {
  it('extensionImports: a relative import with .js or .ts, not a package subpath', () => {
    const sources = [src('a.ts', "import { x } from './x.js';", "export * from '../y.ts';", "import 'pkg/file.js';", "import { z } from './z';")];
    expect(extensionImports(sources).map((f) => f.problem)).toEqual(["imports './x.js' with an extension", "imports '../y.ts' with an extension"]);
  });

  it('cliImports: only packages/cli may import @vjepa/cli', () => {
    const sources = [src('examples/e/main.ts', "import { createProgram } from '@vjepa/cli';"), src('packages/cli/src/bin.ts', "import { main } from '@vjepa/cli';")];
    expect(cliImports(sources)).toEqual([{ file: 'examples/e/main.ts', problem: 'imports @vjepa/cli' }]);
  });

  it('directErrorClasses: only the root class extends Error; tests do not count', () => {
    const sources = [
      src('base/errors.ts', 'export abstract class VjepaError extends Error {}', 'export class UsageError extends VjepaError {}'),
      src('x/y.ts', 'class Local extends Error {}'),
      src('x/y.test.ts', 'class InTest extends Error {}'),
    ];
    expect(directErrorClasses(sources, 'VjepaError')).toEqual([{ file: 'x/y.ts', problem: 'class Local extends Error' }]);
  });

  it('stateJsonReaders: a parse of state.json outside the owner', () => {
    const sources = [
      src('packages/cli/src/a.ts', "const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));"),
      src('packages/cli/src/b.ts', "log('the trainer writes state.json'); JSON.parse(header);"),
      src('packages/cli/src/c.ts', '/** values of `state.json` */', 'JSON.parse(header);'),
      src('packages/trainer/src/run-state.ts', "JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));"),
    ];
    expect(stateJsonReaders(sources, 'packages/trainer/')).toEqual([
      { file: 'packages/cli/src/a.ts', problem: 'parses a run state.json (read it with @vjepa/trainer)' },
    ]);
  });
});

describe('this repository', () => {
  it('keeps every house rule', () => {
    expect(houseRuleFindings(REPO_ROOT)).toEqual([]);
  });
});
