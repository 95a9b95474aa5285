/**
 * A long V-JEPA run that watches for leaks: a small model trains on the embedded synthetic videos through
 * the real data pipeline (ClipLoader, augmentation, prefetch), with masks, EMA, metrics and checkpoints,
 * and every `sampleEvery` steps records the process RSS and `tf.memory().numTensors`. After the warm-up
 * (wasm heap growth, caches, the first checkpoint) neither may grow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ClipLoader, loaderBatchSource, pretrainingTransform, syntheticSource } from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { createPretrainingModels, createTrainStep, officialRecipe, runTraining } from '@vjepa/trainer';

/** Options of {@link longRun}. */
export interface LongRunOptions {
  /** Training steps (default 2,000). */
  steps?: number;
  /** Steps before the baseline is taken (default 200). */
  warmupSteps?: number;
  /** Measure every this many steps (default 50). */
  sampleEvery?: number;
  /** Write a checkpoint every this many steps (default 250), so checkpoint writes are part of the run. */
  checkpointEvery?: number;
  /** Called with each sample. */
  onSample?: (sample: LongRunSample) => void;
}

/** One measurement. */
export interface LongRunSample {
  step: number;
  rssMb: number;
  numTensors: number;
  loss: number;
}

/** What {@link longRun} measured. */
export interface LongRunReport {
  steps: number;
  seconds: number;
  /**
   * RSS (MB): the median of the first five samples after the warm-up, the median of the last five (single
   * samples swing by ±10 % with garbage collection), and the highest single sample after the warm-up.
   */
  rssWarmMb: number;
  rssFinalMb: number;
  rssMaxMb: number;
  /** (final − warm) / warm and (max − warm) / warm, in percent. */
  rssGrowthPercent: number;
  rssMaxGrowthPercent: number;
  /** Distinct tensor counts seen after the warm-up (one value when nothing leaks). */
  tensorCounts: number[];
  firstLoss: number;
  lastLoss: number;
  samples: LongRunSample[];
}

/** Runs the long run and reports its figures (see the module comment). */
export async function longRun(options: LongRunOptions = {}): Promise<LongRunReport> {
  const { steps = 2000, warmupSteps = 200, sampleEvery = 50, checkpointEvery = 250 } = options;
  const frames = 8;
  const crop = 32;
  const models = createPretrainingModels({
    encoder: { dim: 96, depth: 2, heads: 3, frames, imageSize: crop, patch: 8 },
    predictor: { dim: 48, depth: 1 },
    seed: 0,
  });
  const step = createTrainStep(models, { ...officialRecipe(steps), lr: 1e-3 });
  const loader = new ClipLoader(syntheticSource('synthetic:tiny', { seed: 0 }), {
    batchSize: 4,
    transform: pretrainingTransform({ cropSize: crop }),
    seed: 0,
  });
  const masks = new MaskCollator({ grid: { frames, crop, patch: 8, tubelet: 2 }, seed: 0 });
  const out = mkdtempSync(join(tmpdir(), 'vjepa-long-run-'));
  const samples: LongRunSample[] = [];
  const started = performance.now();
  try {
    await runTraining({
      models,
      step,
      source: loaderBatchSource(loader),
      masks,
      steps,
      outDir: out,
      checkpointEvery,
      keepCheckpoints: 2,
      collapseEvery: 100,
      onWarning: () => undefined,
      onProgress: (event) => {
        const done = event.step + 1;
        if (done % sampleEvery !== 0 && done !== 1) return;
        const sample = { step: done, rssMb: process.memoryUsage().rss / 2 ** 20, numTensors: tf.memory().numTensors, loss: event.loss };
        samples.push(sample);
        options.onSample?.(sample);
      },
    });
  } finally {
    loader.close();
    step.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
    rmSync(out, { recursive: true, force: true });
  }
  const after = samples.filter((s) => s.step >= warmupSteps);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rssWarm = median(after.slice(0, 5).map((s) => s.rssMb));
  const rssFinal = median(after.slice(-5).map((s) => s.rssMb));
  const rssMax = Math.max(...after.map((s) => s.rssMb));
  const final = after[after.length - 1];
  return {
    steps,
    seconds: (performance.now() - started) / 1000,
    rssWarmMb: rssWarm,
    rssFinalMb: rssFinal,
    rssMaxMb: rssMax,
    rssGrowthPercent: (100 * (rssFinal - rssWarm)) / rssWarm,
    rssMaxGrowthPercent: (100 * (rssMax - rssWarm)) / rssWarm,
    tensorCounts: [...new Set(after.map((s) => s.numTensors))],
    firstLoss: samples[0].loss,
    lastLoss: final.loss,
    samples,
  };
}
