import { mkdtempSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend, type BatchSource, type ClipBatch } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe, type TrainingRecipe } from './recipe';
import { runTraining, TrainingDivergedError } from './loop';
import { VjepaTrainStep } from './step';
import { latestCheckpointDir, loadCheckpoint, saveCheckpoint } from './checkpoint';

const geometry = { frames: 4, imageSize: 16, patch: 8, tubelet: 2 };
const encoderConfig = { dim: 32, depth: 1, heads: 2, ...geometry };

/** Deterministic clips: batch i is a function of (seed, i) only, so its state is just the index. */
class IndexedSource implements BatchSource {
  index = 0;
  constructor(
    private readonly batchSize = 2,
    private readonly poisonAt = -1,
  ) {}
  async next(): Promise<ClipBatch> {
    const i = this.index++;
    const rng = new RandomStream(1000 + i);
    const size = this.batchSize * geometry.frames * geometry.imageSize * geometry.imageSize * 3;
    const data = rng.uniform(size, -1, 1);
    if (i === this.poisonAt) data.fill(Number.NaN);
    return { video: tf.tensor5d(data, [this.batchSize, geometry.frames, geometry.imageSize, geometry.imageSize, 3]) };
  }
  getState() {
    return { index: this.index };
  }
  setState(state: unknown) {
    this.index = (state as { index: number }).index;
  }
}

function setup(seed = 0, poisonAt = -1, extra: Partial<TrainingRecipe> = {}) {
  const models = createPretrainingModels({ encoder: encoderConfig, predictor: { dim: 16, depth: 1 }, seed });
  const recipe = { ...officialRecipe(300), lr: 1e-3, warmupSteps: 2, ...extra };
  const step = createTrainStep(models, recipe);
  const masks = new MaskCollator({ grid: { frames: geometry.frames, crop: geometry.imageSize, patch: 8, tubelet: 2 }, generators: [
    { type: 'multiblock', spatialScale: [0.3, 0.3], numBlocks: 1 },
    { type: 'multiblock', spatialScale: [0.5, 0.5], numBlocks: 1 },
  ], seed: 3 });
  const dispose = () => {
    step.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  };
  const source = new IndexedSource(2, poisonAt);
  return { models, step, masks, source, parts: { models, step, masks, source }, dispose };
}

describe.each(['cpu', 'wasm'] as const)('the training loop on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('keeps tf.memory().numTensors flat over 50 steps', async () => {
    const run = setup();
    await runTraining({ ...run.parts, steps: 2, collapseEvery: 0 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await runTraining({
      ...run.parts,
      steps: 50,
      collapseEvery: 10,
      onProgress: () => counts.push(tf.memory().numTensors),
      onWarning: () => undefined,
    });
    // the next batch is prefetched while a step runs (none after the last step); after the loop nothing is left
    expect(counts.length).toBe(50);
    expect(new Set(counts.slice(0, 49)).size).toBe(1);
    expect(counts[49]).toBe(counts[0] - 1);
    expect(tf.memory().numTensors).toBe(before);
    run.dispose();
  });

  it('resumes so that the losses equal an uninterrupted run', async () => {
    const full = setup();
    const straight = await runTraining({ ...full.parts, steps: 6, collapseEvery: 0 });
    full.dispose();

    const out = mkdtempSync(join(tmpdir(), 'vjepa-resume-'));
    const first = setup();
    await runTraining({ ...first.parts, steps: 3, outDir: out, checkpointEvery: 3, collapseEvery: 0 });
    first.dispose();
    const second = setup(99); // other init: everything must come from the checkpoint
    const resumed = await runTraining({ ...second.parts, steps: 6, outDir: out, resume: true, collapseEvery: 0 });
    second.dispose();
    expect(resumed.startStep).toBe(3);
    expect(resumed.losses).toEqual(straight.losses.slice(3));
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('stops on a non-finite loss, naming the last good checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-nan-'));
    const run = setup(0, 3);
    const error = await runTraining({ ...run.parts, steps: 6, outDir: out, checkpointEvery: 2, collapseEvery: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.message).toMatch(/loss is NaN at step 3/);
    expect(error.message).toContain('step-00000002');
    expect(latestCheckpointDir(join(out, 'checkpoints'))).toMatch(/step-00000002$/);
    run.dispose();
  });
});

describe('the training loop with VICReg through the expander', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  // clipping from step 0 so the expander's own clip runs too
  const vicreg = (seed: number): Partial<TrainingRecipe> => ({ clipFromStep: 0, regularizer: { kind: 'vicreg', weight: 1, expander: [24, 24, 40], seed } });

  it('trains the expander with the same optimiser, tensor count flat', async () => {
    const run = setup(0, -1, vicreg(5));
    const expander = run.step.expander!;
    expect(expander.widths).toEqual([24, 24, 40]);
    const before = Float32Array.from(expander.layers[4].weight.dataSync());
    await runTraining({ ...run.parts, steps: 2, collapseEvery: 0 });
    const counts: number[] = [];
    await runTraining({ ...run.parts, steps: 12, collapseEvery: 0, onProgress: () => counts.push(tf.memory().numTensors) });
    expect(new Set(counts.slice(0, 11)).size).toBe(1);
    expect(Array.from(expander.layers[4].weight.dataSync())).not.toEqual(Array.from(before));
    expect(Object.keys(run.step.optimizer.state().params).filter((key) => key.startsWith('expander/'))).toHaveLength(10);
    run.dispose();
    expect(expander.layers[4].weight.isDisposed).toBe(true);
  });

  it('checkpoints the expander and resumes to the losses of an uninterrupted run', async () => {
    const full = setup(0, -1, vicreg(5));
    const straight = await runTraining({ ...full.parts, steps: 6, collapseEvery: 0 });
    const finalWeights = Float32Array.from(full.step.expander!.layers[0].weight.dataSync());
    full.dispose();

    const out = mkdtempSync(join(tmpdir(), 'vjepa-expander-'));
    const first = setup(0, -1, vicreg(5));
    await runTraining({ ...first.parts, steps: 3, outDir: out, checkpointEvery: 3, collapseEvery: 0 });
    first.dispose();
    expect(readdirSync(join(out, 'checkpoints', 'step-00000003')).sort()).toContain('expander.safetensors');
    const second = setup(99, -1, vicreg(77)); // other init of every network and the expander: all must come from the checkpoint
    const resumed = await runTraining({ ...second.parts, steps: 6, outDir: out, resume: true, collapseEvery: 0 });
    expect(resumed.losses).toEqual(straight.losses.slice(3));
    expect(Array.from(second.step.expander!.layers[0].weight.dataSync())).toEqual(Array.from(finalWeights));
    second.dispose();
  });
});

describe('runTraining options', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('refuses unknown keys and bad values before anything is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-options-'));
    const run = setup();
    await expect(runTraining({ ...run.parts, steps: 2, outDir: out, chekpointEvery: 1 } as never)).rejects.toThrow(
      /^options\.chekpointEvery: expected one of the keys models, .*, received an unknown key "chekpointEvery"\. Did you mean "checkpointEvery"\?$/,
    );
    await expect(runTraining({ ...run.parts, steps: 0, outDir: out })).rejects.toThrow('steps: expected a positive integer, received 0');
    await expect(runTraining({ ...run.parts, steps: 2, outDir: out, checkpointEvery: 0 })).rejects.toThrow('checkpointEvery: expected a positive integer, received 0');
    await expect(runTraining({ ...run.parts, steps: 2, outDir: out, keepCheckpoints: 0 })).rejects.toThrow('keepCheckpoints: expected an integer ≥ 1, received 0');
    expect(readdirSync(out)).toEqual([]);
    const schedules = run.step as unknown as { options: Record<string, unknown> };
    expect(() => new VjepaTrainStep(run.models, { ...schedules.options, clip_grad: 10 } as never)).toThrow(
      /^options\.clip_grad: expected one of the keys lrSchedule, .*, received an unknown key "clip_grad"\. Did you mean "clipGrad"\?$/,
    );
    expect(() => createPretrainingModels({ encoder: encoderConfig, seeds: 1 } as never)).toThrow('options.seeds: expected one of the keys arch, encoder, predictor, seed, target, init, received an unknown key "seeds". Did you mean "seed"?');
    run.dispose();
  });
});

describe('checkpoints', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('a process killed while writing a checkpoint leaves the previous one loadable', () => {
    const root = mkdtempSync(join(tmpdir(), 'vjepa-ckpt-'));
    const run = setup();
    const modules = { encoder: run.models.encoder, predictor: run.models.predictor };
    saveCheckpoint(root, modules, { step: 1 });
    const saved = run.models.encoder.norm.weight.dataSync().slice();
    tf.tidy(() => run.models.encoder.norm.weight.assign(tf.fill([32], 7)));
    let files = 0;
    expect(() =>
      saveCheckpoint(root, modules, { step: 2 }, undefined, {
        afterFile: () => {
          if (++files === 1) throw new Error('killed');
        },
      }),
    ).toThrow('killed');
    expect(latestCheckpointDir(root)).toMatch(/step-00000001$/);
    expect(existsSync(join(root, 'step-00000002'))).toBe(false);
    const loaded = loadCheckpoint(root, modules);
    expect(loaded.state.step).toBe(1);
    expect(Array.from(run.models.encoder.norm.weight.dataSync())).toEqual(Array.from(saved));
    expect(readdirSync(join(root, 'step-00000001')).sort()).toEqual(['encoder.safetensors', 'predictor.safetensors', 'state.json']);
    run.dispose();
  });
});
