import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The dependency fields of a package.json that this check reads. */
export interface PackageManifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

/** What one source file imports (package names, not paths) and which string literals it holds. */
export interface FileImports {
  /** Path relative to the package folder. */
  file: string;
  /** `*.test.ts` and `*.test-util.ts`: only tests import them. */
  test: boolean;
  /** Bare package names of every import, export … from, `import()` and `require()` with a literal. */
  packages: Set<string>;
  /** Every string literal of the file: an optional dependency loaded through a constant name counts as used. */
  literals: Set<string>;
}

/** One broken rule: which package, what is wrong, and with which dependency. */
export interface DependencyProblem {
  package: string;
  problem: 'unused' | 'undeclared' | 'dev-only';
  dependency: string;
  /** For `undeclared` and `dev-only`: the file that imports it. */
  file?: string;
}

const BUILTINS = new Set(builtinModules);

/**
 * `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; null for relative paths, a package's own
 * subpath imports (`#gradients`, mapped in its package.json `imports`) and Node built-ins.
 */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? null : name;
}

function isTestFile(file: string): boolean {
  return /\.test(-util)?\.ts$/.test(file);
}

/** Imports and string literals of one TypeScript source (comments do not count). */
export function scanSource(file: string, text: string): FileImports {
  const packages = new Set<string>();
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    const name = packageOf(ref.fileName);
    if (name !== null) packages.add(name);
  }
  const literals = new Set<string>();
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) literals.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, test: isTestFile(file), packages, literals };
}

/**
 * The rules every workspace package keeps, from its manifest and what its files import:
 * - each runtime dependency (`dependencies`, `optionalDependencies`) is imported by some non-test file
 *   (an optional one may instead be named by a string literal that a loader passes to `require`), or is
 *   an optional peer of a workspace dependency that this package provides for it (`provided`: the CLI
 *   installs the wasm and cpu backends that `@vjepa/core` imports when picked);
 * - each package a non-test file imports is a runtime or peer dependency (not only a dev one);
 * - each `@vjepa/*` package a test imports is declared somewhere (dev dependencies included).
 */
export function dependencyProblems(manifest: PackageManifest, files: readonly FileImports[], provided: ReadonlySet<string> = new Set()): DependencyProblem[] {
  const problems: DependencyProblem[] = [];
  const runtime = { ...manifest.dependencies, ...manifest.optionalDependencies };
  const shipped = new Set([...Object.keys(runtime), ...Object.keys(manifest.peerDependencies ?? {})]);
  const dev = new Set(Object.keys(manifest.devDependencies ?? {}));
  const sources = files.filter((f) => !f.test);
  for (const dependency of Object.keys(runtime)) {
    const imported = sources.some((f) => f.packages.has(dependency));
    const named = dependency in (manifest.optionalDependencies ?? {}) && sources.some((f) => f.literals.has(dependency));
    if (!imported && !named && !provided.has(dependency)) problems.push({ package: manifest.name, problem: 'unused', dependency });
  }
  const reported = new Set<string>();
  // Sources first, so a package imported by both is reported at a source file.
  for (const f of [...sources, ...files.filter((f) => f.test)]) {
    for (const dependency of f.packages) {
      if (dependency === manifest.name || reported.has(dependency)) continue;
      if (f.test && !dependency.startsWith('@vjepa/')) continue; // vitest, fast-check: root dev dependencies
      if (f.test ? shipped.has(dependency) || dev.has(dependency) : shipped.has(dependency)) continue;
      reported.add(dependency);
      const problem = !f.test && dev.has(dependency) ? 'dev-only' : 'undeclared';
      problems.push({ package: manifest.name, problem, dependency, file: f.file });
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(m|c)?ts$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** The optional peers of the workspace packages that `manifest` depends on: what it may install for them. */
export function optionalPeersOfDependencies(manifest: PackageManifest, workspace: readonly { manifest: PackageManifest }[]): Set<string> {
  const names = new Set(Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }));
  const peers = workspace
    .filter((p) => names.has(p.manifest.name))
    .flatMap((p) => Object.entries(p.manifest.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional).map(([name]) => name));
  return new Set(peers);
}

/** Every package folder under `packagesDir` with its manifest and the imports of its `src/` files. */
export function scanWorkspace(packagesDir: string): { dir: string; manifest: PackageManifest; files: FileImports[] }[] {
  return readdirSync(packagesDir)
    .map((entry) => join(packagesDir, entry))
    .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
      const files = sourceFiles(join(dir, 'src')).map((path) => scanSource(relative(dir, path), readFileSync(path, 'utf8')));
      return { dir, manifest, files };
    });
}
