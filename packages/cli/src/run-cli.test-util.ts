// Test helper: the `vjepa` command as a user runs it, a child process of bin.ts (the sources, through tsx),
// from a chosen working directory.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
/** tsx by its path, so that the command also runs from folders outside the repository. */
const tsx = createRequire(import.meta.url).resolve('tsx');
/** `node` and its arguments before the command's own. */
export const node = [process.execPath, '--conditions=@vjepa/source', '--import', tsx, bin];

/** Runs `vjepa ARGS` in `cwd` (default the repository root) and returns its status, stdout and stderr. */
export function vjepaIn(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(node[0], [...node.slice(1), ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** Runs `vjepa ARGS` in the repository root. */
export const vjepa = (...args: string[]) => vjepaIn(repoRoot, args);

/** A new empty temporary folder. */
export const fresh = () => mkdtempSync(join(tmpdir(), 'vjepa-cli-'));

/** Train flags of a run of a few seconds on the embedded tiny clips. */
export const TINY = ['--data', 'synthetic:tiny', '--crop', '64', '--frames', '8', '--depth', '1', '--pred-depth', '1', '--pred-dim', '48', '--batch-size', '2', '--backend', 'wasm'];
