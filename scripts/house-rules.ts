// The rules of the house plan (issue 17) that a reader can check from the sources alone: no circle of
// imports inside a package, one import style (no extension on relative imports), nothing outside the CLI
// importing the CLI, one root error class, and a run's state.json read only by @vjepa/trainer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One TypeScript source: its path (relative to the repository root) and its text. */
export interface Source {
  path: string;
  text: string;
}

/** A broken rule: which file, and what is wrong there. */
export interface Finding {
  file: string;
  problem: string;
}

const isTest = (path: string) => /\.test(-util)?\.ts$/.test(path) || path.includes('/test/');

/** The import specifiers of a file (imports, re-exports, `import type`, `import()` and `require()`). */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
}

/** Every `.ts` file below `dir` (node_modules and dist left out), relative to `root`. */
export function readSources(root: string, dir: string): Source[] {
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((entry) => {
      const path = join(at, entry);
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) return [];
      if (statSync(path).isDirectory()) return walk(path);
      return entry.endsWith('.ts') && !entry.endsWith('.d.ts') ? [path] : [];
    });
  return walk(join(root, dir)).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));
}

/** Relative imports that name a file extension (`./x.js`): the house style is extension-less. */
export function extensionImports(sources: readonly Source[]): Finding[] {
  return sources.flatMap(({ path, text }) =>
    importSpecifiers(text)
      .filter((specifier) => specifier.startsWith('.') && /\.(m|c)?[jt]s$/.test(specifier))
      .map((specifier) => ({ file: path, problem: `imports '${specifier}' with an extension` })),
  );
}

/**
 * Circles of relative imports (type-only ones included), each reported once as `a → b → … → a`. A
 * specifier resolves to `x.ts` or `x/index.ts` among the given sources.
 */
export function importCycles(sources: readonly Source[]): Finding[] {
  const known = new Set(sources.map((s) => s.path));
  const target = (from: string, specifier: string): string | undefined => {
    const base = join(dirname(from), specifier.replace(/\.(m|c)?js$/, ''));
    return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
  };
  const edges = new Map(
    sources.map(({ path, text }) => [
      path,
      importSpecifiers(text)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => target(path, specifier))
        .filter((file): file is string => file !== undefined),
    ]),
  );
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        const key = [...circle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({ file: next, problem: `import circle ${[...circle, next].join(' → ')}` });
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return findings;
}

/** Files outside `packages/cli` that import `@vjepa/cli` (examples are users: they use the packages). */
export function cliImports(sources: readonly Source[]): Finding[] {
  return sources
    .filter(({ path }) => !path.startsWith('packages/cli/'))
    .flatMap(({ path, text }) =>
      importSpecifiers(text)
        .filter((specifier) => specifier === '@vjepa/cli' || specifier.startsWith('@vjepa/cli/'))
        .map(() => ({ file: path, problem: 'imports @vjepa/cli' })),
    );
}

/** Classes of non-test sources that extend `Error` directly, other than `allowed` (the root error class). */
export function directErrorClasses(sources: readonly Source[], allowed: string): Finding[] {
  const findings: Finding[] = [];
  for (const { path, text } of sources.filter((s) => !isTest(s.path))) {
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) {
        const extended = node.heritageClauses
          ?.filter((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
          .flatMap((clause) => clause.types.map((type) => type.expression.getText(file)));
        const name = node.name?.text ?? '(anonymous)';
        if (extended?.includes('Error') && name !== allowed) findings.push({ file: path, problem: `class ${name} extends Error` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return findings;
}

/** The texts of a file's string literals and template pieces (comments do not count). */
function stringTexts(path: string, text: string): string[] {
  const texts: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) texts.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return texts;
}

/**
 * Non-test sources outside `owner` that read a run's `state.json` themselves: a file whose code (not its
 * comments) names `state.json` in a string and calls `JSON.parse`.
 */
export function stateJsonReaders(sources: readonly Source[], owner: string): Finding[] {
  return sources
    .filter(({ path }) => !isTest(path) && !path.startsWith(owner))
    .filter(({ path, text }) => /\bJSON\.parse\(/.test(text) && stringTexts(path, text).some((s) => /(^|\/)state\.json$/.test(s)))
    .map(({ path }) => ({ file: path, problem: 'parses a run state.json (read it with @vjepa/trainer)' }));
}

/** Every finding of the house rules over the repository at `root` (packages/, examples/ and scripts/). */
export function houseRuleFindings(root: string): Finding[] {
  const packages = readdirSync(join(root, 'packages')).filter((entry) => statSync(join(root, 'packages', entry, 'src'), { throwIfNoEntry: false })?.isDirectory());
  const perPackage = packages.map((name) => readSources(root, join('packages', name, 'src')));
  const examples = readSources(root, 'examples');
  const all = [...perPackage.flat(), ...examples, ...readSources(root, 'scripts')];
  return [
    ...perPackage.flatMap((sources) => importCycles(sources)),
    ...extensionImports(all),
    ...cliImports(all),
    ...directErrorClasses(perPackage.flat(), 'VjepaError'),
    ...stateJsonReaders([...perPackage.flat(), ...examples], 'packages/trainer/'),
  ];
}

/** The repository root of this checkout. */
export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
