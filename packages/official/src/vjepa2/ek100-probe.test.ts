import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEk100Probe } from './ek100-probe';
import { readVjepa2 } from './open';

// fixtures/vjepa2/ek100-probe.{pt,json}: the official EK-100 AttentiveClassifier (evals/action_anticipation_frozen,
// vjepa2 c2963a4, torch 1.13) with every parameter redrawn, saved in eval.py's layout, and its logits for two
// random sequences (make_ek100_fixture.py).
const fixture = (name: string) => fileURLToPath(new URL(`../../../../fixtures/vjepa2/${name}`, import.meta.url));
interface Ek100Fixture {
  config: { dim: number; heads: number; depth: number; classes: { verb: number; noun: number; action: number } };
  input: { shape: [number, number, number]; data: number[] };
  logits: Record<'verb' | 'noun' | 'action', { shape: [number, number]; data: number[] }>;
}
const expected = JSON.parse(readFileSync(fixture('ek100-probe.json'), 'utf8')) as Ek100Fixture;

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('the V-JEPA 2 EK-100 probe against the official code', () => {
  it('reads an official EK-100 probe .pt (classifiers[0], module. prefix) as three queries and three heads', () => {
    const read = readVjepa2(fixture('ek100-probe.pt'), { probeHeads: expected.config.heads });
    expect(read.arch.probe).toMatchObject({ dim: 24, depth: 4, heads: 2, queries: 3, classes: expected.config.classes, normEps: 1e-5 });
  });

  it("gives the official verb, noun and action logits (to 1e-5)", () => {
    const read = readVjepa2(fixture('ek100-probe.pt'), { probeHeads: expected.config.heads });
    const probe = buildEk100Probe(read.arch.probe!, read.probe!, 'ek100-probe.pt');
    const before = tf.memory().numTensors;
    const logits = probe.apply(tf.tensor3d(expected.input.data, expected.input.shape));
    for (const head of ['verb', 'noun', 'action'] as const) {
      expect(logits[head].shape).toEqual(expected.logits[head].shape);
      const ours = logits[head].dataSync();
      let largest = 0;
      expected.logits[head].data.forEach((value, i) => (largest = Math.max(largest, Math.abs(value - ours[i]))));
      expect(largest, head).toBeLessThan(1e-5);
      logits[head].dispose();
    }
    expect(tf.memory().numTensors).toBe(before + 1); // only the input, left undisposed above
    probe.dispose();
  });

  it('refuses a single-head probe, naming what it is', () => {
    const read = readVjepa2(fixture('ek100-probe.pt'), { probeHeads: expected.config.heads });
    expect(() => buildEk100Probe({ ...read.arch.probe!, queries: 1, classes: 174 }, read.probe!, 'ssv2.pt')).toThrow(/^ssv2.pt: expected the EK-100 probe .*received a single-head probe of 174 classes/);
  });
});
