// Crash safety: a training process SIGKILLed at many moments (mid-checkpoint write, mid-data-load, at
// random) and resumed each time ends with weights byte-identical to an uninterrupted run of the same seed.
// Fast variant in CI (20 kills, a tiny model); VJEPA_LONG_TESTS=1 runs 100 kills over a longer run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RandomStream } from '@vjepa/core';
import { latestGoodCheckpointDir, verifyCheckpoint } from './checkpoint';

const LONG = process.env.VJEPA_LONG_TESTS === '1';
const KILLS = LONG ? 100 : 20;
const STEPS = LONG ? 400 : 90;
const EVERY = 3;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const child = fileURLToPath(new URL('./kill-child.test-util.ts', import.meta.url));

/** When to kill: right after the first file of a checkpoint, in a data load, or `afterSteps` steps in plus `delayMs`. */
type Moment = { kind: 'checkpoint write' | 'data loading' | 'random'; delayMs: number; afterSteps: number };

interface ChildRun {
  /** Lines the child printed. */
  lines: string[];
  /** How it ended: 'killed' (by us) or its exit code. */
  end: 'killed' | number;
}

/** Runs the child once; with `moment`, SIGKILLs it then (or lets it finish if the moment never comes). */
function runChild(out: string, moment?: Moment): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', child, out, String(STEPS), String(EVERY)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    let armed = false;
    let steps = 0;
    const kill = () => {
      if (!proc.killed) proc.kill('SIGKILL');
    };
    proc.stderr.on('data', (d) => (stderr += d));
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!moment || armed) continue;
        // The first event of the run is skipped (so every kill lets the child do some work first).
        const event = line.split(' ')[0];
        if (event === 'step') steps++;
        const trigger =
          (moment.kind === 'checkpoint write' && line === 'file encoder.safetensors') ||
          (moment.kind === 'data loading' && event === 'load' && lines.some((l) => l.startsWith('step '))) ||
          (moment.kind === 'random' && event === 'step' && steps === moment.afterSteps);
        if (trigger) {
          armed = true;
          if (moment.delayMs === 0) kill();
          else setTimeout(kill, moment.delayMs);
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lines, end: 'killed' });
      else if (code === 0) resolve({ lines, end: 0 });
      else reject(new Error(`the training child failed (exit ${code}): ${stderr}`));
    });
  });
}

/** Step and SHA-256 of every file of the newest intact checkpoint. */
function finalState(out: string): { step: number; files: Record<string, { sha256: string }> } {
  const dir = latestGoodCheckpointDir(join(out, 'checkpoints'))!;
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
}

describe(`a training process SIGKILLed ${KILLS} times`, () => {
  it(
    'resumes every time from the last checkpoint and ends byte-identical to an uninterrupted run',
    async () => {
      const straightOut = mkdtempSync(join(tmpdir(), 'vjepa-straight-'));
      const straight = await runChild(straightOut);
      expect(straight.end).toBe(0);

      const out = mkdtempSync(join(tmpdir(), 'vjepa-killed-'));
      const rng = new RandomStream(2026);
      const kinds: Moment['kind'][] = ['checkpoint write', 'data loading', 'random'];
      const landed = { 'checkpoint write': 0, 'data loading': 0, random: 0 };
      let committed = 0; // the step of the newest intact checkpoint after the last kill
      let kills = 0;
      let finished = false;
      for (let attempt = 0; kills < KILLS; attempt++) {
        expect(attempt).toBeLessThan(KILLS * 3); // every attempt makes progress; no endless loop
        const kind = kinds[kills % 3];
        const [u, v] = rng.uniform(2, 0, 1);
        // random: after 1–8 steps and 0–60 ms (so the run cannot finish before the last kill)
        const moment: Moment = kind === 'random' ? { kind, afterSteps: 1 + Math.floor(u * 8), delayMs: Math.floor(v * 60) } : { kind, afterSteps: 0, delayMs: Math.floor(u * 4) };
        const result = await runChild(out, moment);
        // Every resume starts from the newest intact checkpoint: nothing before it is lost.
        const ready = result.lines.find((l) => l.startsWith('ready '));
        expect(ready).toBe(`ready ${committed}`);
        if (result.end !== 'killed') {
          finished = true; // the moment never came: the run completed
          break;
        }
        kills++;
        const root = join(out, 'checkpoints');
        const staging = readdirSync(root).filter((d) => d.endsWith('.tmp'));
        if (kind === 'checkpoint write' && staging.length > 0) landed['checkpoint write']++;
        if (kind === 'data loading' && /^load /.test(result.lines.at(-1) ?? '')) landed['data loading']++;
        const good = latestGoodCheckpointDir(root);
        const step = good ? JSON.parse(readFileSync(join(good, 'state.json'), 'utf8')).step : 0;
        expect(step).toBeGreaterThanOrEqual(committed);
        if (good) expect(verifyCheckpoint(good)).toEqual([]);
        committed = step;
      }
      console.info(`kill test: ${kills} SIGKILLs (${landed['checkpoint write']} inside a checkpoint write, ${landed['data loading']} inside a data load), resumed from step ${committed} to ${STEPS}`);
      expect(finished).toBe(false);
      expect(kills).toBe(KILLS);
      expect(committed).toBeGreaterThan(0);
      const last = await runChild(out);
      expect(last.end).toBe(0);
      expect(last.lines.find((l) => l.startsWith('ready '))).toBe(`ready ${committed}`);
      // Kills really landed inside checkpoint writes and inside data loading.
      expect(landed['checkpoint write']).toBeGreaterThan(0);
      expect(landed['data loading']).toBeGreaterThan(0);

      const a = finalState(straightOut);
      const b = finalState(out);
      expect(b.step).toBe(STEPS);
      expect(Object.keys(b.files).sort()).toEqual(['encoder.safetensors', 'optimizer.safetensors', 'predictor.safetensors', 'target_encoder.safetensors']);
      expect(b.files).toEqual(a.files); // byte-identical weights and optimiser moments
      for (const file of Object.keys(a.files)) {
        const dirA = latestGoodCheckpointDir(join(straightOut, 'checkpoints'))!;
        const dirB = latestGoodCheckpointDir(join(out, 'checkpoints'))!;
        expect(Buffer.compare(readFileSync(join(dirA, file)), readFileSync(join(dirB, file)))).toBe(0);
      }
    },
    LONG ? 3_600_000 : 300_000,
  );
});
