import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { AttentiveProbe, trainProbe } from '@vjepa/probe';
import { takesWeightDecay } from '@vjepa/trainer';
import { openTorchFile, TorchTensor } from '@vjepa/torch-format';
import { expectSameOptimizer, expectSameStateDicts, tensorBytes as bytes } from './optimizer-files.test-util';
import { readOfficialProbeRun, writeOfficialProbeRun } from './probe-run';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url).pathname;
/** Made by the official frozen-evaluation path (make_official_probe_fixture.py): two AdamW groups, 17 positions, 15 states. */
const OFFICIAL_PROBE_RUN = fixture('pytorch/official-probe-run.pth.tar');
const newProbe = () => new AttentiveProbe({ dim: 48, classes: 5, heads: 4, depth: 1 });

/** The name at each position of the file's optimizer, by the official init_opt rule over the file's own dict order. */
function officialNames(classifier: Map<string, TorchTensor>): string[] {
  const names = (decay: boolean) => [...classifier].filter(([key, t]) => takesWeightDecay(key, t.shape) === decay).map(([key]) => `probe/${key.replace(/^module\./, '')}`);
  return [...names(true), ...names(false)];
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('official attentive-probe checkpoints with their optimiser (eval.py layout)', () => {
  it('import: every weight and every AdamW moment equals the file’s, by name', () => {
    const probe = newProbe();
    const file = openTorchFile(OFFICIAL_PROBE_RUN);
    try {
      const run = readOfficialProbeRun(OFFICIAL_PROBE_RUN, probe);
      const root = file.root as Map<string, unknown>;
      const classifier = root.get('classifier') as Map<string, TorchTensor>;
      expect([...probe.stateDict().keys()]).toEqual([...classifier.keys()].map((k) => k.replace(/^module\./, '')));
      for (const [key, t] of classifier) {
        const ours = probe.stateDict().get(key.replace(/^module\./, ''))!;
        expect(Buffer.from((ours.dataSync() as Float32Array).buffer).equals(bytes(t)), key).toBe(true);
      }
      const opt = root.get('opt') as Map<string, unknown>;
      const state = opt.get('state') as Map<number, Map<string, TorchTensor>>;
      const names = officialNames(classifier);
      let compared = 0;
      names.forEach((name, position) => {
        const entry = state.get(position);
        const slot = run.optimizer!.params[name];
        if (!entry) return expect(slot, name).toBeUndefined();
        expect(Buffer.from((slot.expAvg.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg')!)), `exp_avg ${name}`).toBe(true);
        expect(Buffer.from((slot.expAvgSq.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg_sq')!)), `exp_avg_sq ${name}`).toBe(true);
        expect(slot.step).toBe(2);
        compared++;
      });
      expect(compared).toBe(15);
      expect(run).toMatchObject({ epoch: 2, batchSize: 4, lr: 1e-3 });
      expect(run.optimizer!.groups.map((g) => g.name)).toEqual(['probe/decay', 'probe/no-decay']);
    } finally {
      file.close();
      probe.dispose();
    }
  });

  it('import then export: the same classifier, groups, member order, state positions and values', () => {
    const probe = newProbe();
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-probe-run-')), 'back.pth.tar');
    const run = readOfficialProbeRun(OFFICIAL_PROBE_RUN, probe);
    writeOfficialProbeRun(out, probe, run.optimizer, { epoch: run.epoch, batchSize: run.batchSize!, lr: run.lr! });
    probe.dispose();
    const a = openTorchFile(OFFICIAL_PROBE_RUN);
    const b = openTorchFile(out);
    try {
      const ra = a.root as Map<string, unknown>;
      const rb = b.root as Map<string, unknown>;
      expect([...rb.keys()]).toEqual([...ra.keys()]);
      for (const key of ['scaler', 'epoch', 'batch_size', 'world_size', 'lr']) expect(rb.get(key), key).toEqual(ra.get(key));
      expectSameStateDicts(ra, rb, ['classifier']);
      expectSameOptimizer(ra.get('opt') as Map<string, unknown>, rb.get('opt') as Map<string, unknown>);
    } finally {
      a.close();
      b.close();
    }
  });

  it('resumes: trainProbe continues the official moments and epochs, and its state exports in the official layout', () => {
    const probe = newProbe();
    const run = readOfficialProbeRun(OFFICIAL_PROBE_RUN, probe);
    const before = tf.memory().numTensors;
    const features = tf.randomNormal([8, 36, 48], 0, 1, 'float32', 3) as tf.Tensor3D;
    const labels = Int32Array.from([0, 1, 2, 3, 4, 0, 1, 2]);
    const result = trainProbe({ probe, features, labels, epochs: 4, batchSize: 4, optimizerState: run.optimizer, startEpoch: run.epoch });
    features.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.losses).toHaveLength(2); // epochs 2 and 3
    expect(result.steps).toBe(8); // the schedules advanced by the 2 epochs done, then 2 × 2 steps
    // the parameters the official run stepped twice have taken 4 more steps; xattn.proj never gets a gradient
    expect(result.optimizer.params['probe/pooler.query_tokens'].step).toBe(6);
    expect(result.optimizer.params['probe/pooler.cross_attention_block.xattn.proj.weight']).toBeUndefined();
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-probe-resumed-')), 'resumed.pth.tar');
    writeOfficialProbeRun(out, probe, result.optimizer, { epoch: 4, batchSize: 4, lr: 1e-3 });
    const file = openTorchFile(out);
    try {
      const opt = (file.root as Map<string, unknown>).get('opt') as Map<string, unknown>;
      expect((opt.get('param_groups') as Map<string, unknown>[]).map((g) => (g.get('params') as number[]).length)).toEqual([7, 10]);
      expect((opt.get('state') as Map<number, unknown>).size).toBe(15);
    } finally {
      file.close();
      probe.dispose();
    }
  });

  it('refuses a probe of other sizes, naming the missing keys, before touching the optimiser', () => {
    const probe = new AttentiveProbe({ dim: 48, classes: 5, heads: 4, depth: 2 });
    try {
      expect(() => readOfficialProbeRun(OFFICIAL_PROBE_RUN, probe)).toThrow(/official-probe-run\.pth\.tar \(classifier\) into AttentiveProbe: missing keys: pooler\.blocks\.0\.norm1\.weight/);
    } finally {
      probe.dispose();
    }
  });
});
