// Test helper: the `vjepa` command as a user runs it, a child process of bin.ts (the sources, through tsx),
// from a chosen working directory.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

/**
 * Starts `vjepa train TINY --steps 400` into `out` and, once step 10 is reported, sends it `signals` (20 ms
 * apart); resolves with its exit status and stdout.
 */
export async function trainAndSignal(out: string, signals: readonly NodeJS.Signals[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(node[0], [...node.slice(1), 'train', ...TINY, '--steps', '400', '--checkpoint-every', '1000', '--out', out], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    if (!sent && /step 10\//.test(stdout)) {
      sent = true;
      signals.forEach((signal, k) => setTimeout(() => child.kill(signal), 20 * k));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout };
}

/** The 0-based steps of `out/metrics.jsonl`, in file order. */
export function metricSteps(out: string): number[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { step: number }).step);
}
