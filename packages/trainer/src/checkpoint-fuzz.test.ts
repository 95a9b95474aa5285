// Fuzzing the checkpoint verification: any damage to the newest checkpoint (bytes overwritten, truncated,
// appended, a file removed, state.json garbled) is detected, and loading falls back to the previous
// checkpoint: damaged weights are never loaded (a change that means nothing, such as state.json's
// trailing newline, loads as written). 200 cases in CI, 3,000 with VJEPA_LONG_TESTS=1.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Linear, selectBackend, VjepaError } from '@vjepa/core';
import { loadCheckpoint, saveCheckpoint, verifyCheckpoint } from './checkpoint';

const RUNS = process.env.VJEPA_LONG_TESTS === '1' ? 3000 : 200;
const FILES = ['encoder.safetensors', 'predictor.safetensors', 'state.json'];

type Damage =
  | { kind: 'overwrite'; file: number; at: number; bytes: number[] }
  | { kind: 'truncate'; file: number; at: number }
  | { kind: 'append'; file: number; bytes: number[] }
  | { kind: 'remove'; file: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('overwrite' as const), file: fc.nat(2), at: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }) }) as fc.Arbitrary<Damage>,
  fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(2), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }) as fc.Arbitrary<Damage>,
  fc.record({ kind: fc.constant('append' as const), file: fc.nat(1), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }) }) as fc.Arbitrary<Damage>,
  fc.record({ kind: fc.constant('remove' as const), file: fc.nat(2) }) as fc.Arbitrary<Damage>,
);

/** Applies the damage; false when it changed nothing (bytes overwritten with themselves). */
function apply(dir: string, d: Damage): boolean {
  const path = join(dir, FILES[d.file]);
  if (d.kind === 'remove') rmSync(path);
  else if (d.kind === 'append') appendFileSync(path, Uint8Array.from(d.bytes));
  else {
    const bytes = readFileSync(path);
    const at = Math.min(bytes.length - 1, Math.floor(d.at * bytes.length));
    if (d.kind === 'truncate') truncateSync(path, at);
    else {
      const before = Buffer.from(bytes);
      d.bytes.forEach((b, k) => at + k < bytes.length && (bytes[at + k] = b));
      if (before.equals(bytes)) return false;
      writeFileSync(path, bytes);
    }
  }
  return true;
}

describe('checkpoint verification under random damage', () => {
  let encoder: Linear;
  let predictor: Linear;
  let pristine: string;

  beforeAll(async () => {
    await selectBackend('cpu');
    encoder = new Linear(8, 4);
    predictor = new Linear(4, 2);
    pristine = mkdtempSync(join(tmpdir(), 'vjepa-fuzz-'));
    for (const step of [1, 2]) {
      tf.tidy(() => {
        for (const layer of [encoder, predictor]) layer.weight.assign(tf.fill(layer.weight.shape, step));
      });
      saveCheckpoint(pristine, { encoder, predictor }, { step });
    }
  });
  afterAll(() => {
    encoder.dispose();
    predictor.dispose();
  });

  it(`detects every damage and falls back to the previous checkpoint (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(damage, (d) => {
        const root = mkdtempSync(join(tmpdir(), 'vjepa-fuzz-case-'));
        try {
          cpSync(pristine, root, { recursive: true });
          const dir = join(root, 'step-00000002');
          if (!apply(dir, d)) return;
          const problems = verifyCheckpoint(dir);
          if (problems.length === 0) {
            // Only a change that means nothing passes (state.json's trailing newline or whitespace): the
            // checkpoint then loads as written.
            expect(FILES[d.file]).toBe('state.json');
            expect(loadCheckpoint(root, { encoder, predictor }).state.step).toBe(2);
            expect(encoder.weight.dataSync()[0]).toBe(2);
            return;
          }
          const warnings: string[] = [];
          const loaded = loadCheckpoint(root, { encoder, predictor }, { onWarning: (m) => warnings.push(m) });
          expect(loaded.state.step).toBe(1);
          expect(warnings).toHaveLength(1);
          expect(encoder.weight.dataSync()[0]).toBe(1);
          expect(predictor.weight.dataSync()[0]).toBe(1);
          // The damaged one named directly: refused with a VjepaError, never loaded.
          expect(() => loadCheckpoint(dir, { encoder, predictor })).toThrow(VjepaError);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed: 12 },
    );
  });
});
