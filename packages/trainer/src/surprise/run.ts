/**
 * `vjepa surprise`: violation-of-expectation scoring of trained runs beside their baselines, over the
 * synthetic twin pairs of `@vjepa/data` or the user's own pairs of videos.
 *
 * @packageDocumentation
 */
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, RandomStream, selectBackend, type BackendRequest } from '@vjepa/core';
import {
  ClipLoader,
  decodeVoePair,
  evalTransform,
  normalizeTransform,
  openClipSource,
  pretrainingTransform,
  readVoePairCsv,
  toVideoBatch,
  voePairSource,
  voeSpec,
  VOE_SETS,
  type Clip,
} from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { loadCheckpoint } from '../checkpoint';
import { createPretrainingModels } from '../recipe';
import { savedRunConfig } from '../run';
import { resolveRunConfig, type RunConfig } from '../run-config';
import { trainFrozenPredictor } from './frozen-predictor';
import { auroc, pairwiseAccuracy } from './metrics';
import { constantVelocityScores, frameDifferenceScores } from './pixel-baselines';
import { surpriseScores, type ClipSurprise, type SurpriseModels, type SurpriseOptions } from './scores';

/** The scorers that need no trained run of their own. */
export const SURPRISE_BASELINES = ['untrained', 'frame-diff', 'tracker'] as const;

/** A baseline: `untrained` (the first run's architecture at its initialisation, only a predictor trained on its frozen features), `frame-diff`, `tracker`. */
export type SurpriseBaseline = (typeof SURPRISE_BASELINES)[number];

/** Options of {@link runSurprise}. */
export interface SurpriseRunOptions {
  /** `vjepa train` output folders or checkpoint directories to score (a `--target pixels` run scores in pixel space). */
  runs?: string[];
  /** Baselines scored beside them (default none). */
  baselines?: SurpriseBaseline[];
  /** Pair sets (default all of `VOE_SETS`: the four events over noise and over Moving MNIST). */
  sets?: string[];
  /** A CSV of `possible,impossible` video paths instead of the synthetic sets. */
  pairs?: string;
  /** Pairs per synthetic set (default 64). */
  count?: number;
  /** Content seed of the synthetic pairs (default 0). */
  seed?: number;
  /**
   * The run configuration the baselines take their architecture, data, masks and clip size from when no run
   * is scored (default `vjepa train`'s defaults); with runs, the first run's is used and this is refused.
   */
  config?: RunConfig;
  /** Steps of the `untrained` baseline's predictor training (default 300), on the first run's data and masks. */
  untrainedSteps?: number;
  /** With `--pairs`: take every `frameStep`-th frame (default the run's). */
  frameStep?: number;
  /** What the target encoder sees and how far back the context reaches (see `surpriseScores`). */
  targetView?: SurpriseOptions['targetView'];
  contextSteps?: number;
  /** Clips per forward pass (default 8). */
  batchSize?: number;
  backend?: BackendRequest;
  /** Where progress lines go (default `console.log`). */
  log?: (line: string) => void;
}

/** The scores of one scorer on one pair set. */
export interface SurpriseRow {
  /** A run's path, or a baseline's name. */
  scorer: string;
  /** `run` (features), `pixels` (a `--target pixels` run) or the baseline. */
  kind: 'run' | 'pixels' | SurpriseBaseline;
  /** The pair set (`synthetic:voe-reversal`, or the CSV's path). */
  set: string;
  pairs: number;
  /** Share of pairs whose impossible twin is more surprising, by the clip's max and mean step surprise. */
  accuracy: { max: number; mean: number };
  /** AUROC of impossible against possible clips, by max and by mean. */
  auroc: { max: number; mean: number };
  /** Per pair, both twins' clip surprise. */
  scores: { possible: ClipSurprise; impossible: ClipSurprise }[];
}

const OPTION_KEYS = optionKeys<SurpriseRunOptions>({
  runs: true, baselines: true, sets: true, pairs: true, count: true, seed: true, config: true, untrainedSteps: true, frameStep: true,
  targetView: true, contextSteps: true, batchSize: true, backend: true, log: true,
});

type ClipPair = { possible: Clip; impossible: Clip };
type PairSet = { name: string; size: number; get: (index: number) => Promise<ClipPair> };
type Scorer = { name: string; kind: SurpriseRow['kind']; score: (clips: Clip[]) => ClipSurprise[]; dispose: () => void };

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) fail(name, 'a positive integer', value);
  return chosen;
}

/** The run configuration of each run, checked to share one clip geometry. */
function runConfigs(runs: readonly string[]): RunConfig[] {
  const configs = runs.map((run) => savedRunConfig(run) ?? fail('runs', 'a vjepa train output folder or checkpoint directory', run));
  const geometry = (c: RunConfig) => [c.data.frames, c.data.crop, c.model.encoder.tubelet, c.model.encoder.patch].join('×');
  configs.forEach((config, k) => {
    if (geometry(config) !== geometry(configs[0])) {
      fail(`runs[${k}]`, `the clip geometry of ${runs[0]} (frames×crop×tubelet×patch ${geometry(configs[0])})`, `${runs[k]}: ${geometry(config)}`);
    }
  });
  return configs;
}

/** Encoder, predictor and target encoder of a run, loaded from its newest intact checkpoint. */
export function loadSurpriseModels(run: string, config: RunConfig = savedRunConfig(run) ?? fail('run', 'a vjepa train output folder or checkpoint directory', run)): SurpriseModels & { dispose(): void } {
  const models = createPretrainingModels({ arch: config.model.arch, encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
  const dispose = () => [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  try {
    loadCheckpoint(run, { encoder: models.encoder, target_encoder: models.targetEncoder, predictor: models.predictor });
  } catch (error) {
    dispose();
    throw error;
  }
  return { ...models, dispose };
}

/** Clips as one normalised `[B, T, crop, crop, 3]` batch (resized and centre-cropped when their size differs). */
function clipBatch(clips: readonly Clip[], crop: number): tf.Tensor5D {
  const exact = normalizeTransform();
  const resized = evalTransform({ cropSize: crop });
  const shapes = clips.map((clip) => (clip.height === crop && clip.width === crop ? exact : resized).outputShape(clip.numFrames, clip.height, clip.width));
  const [T, H, W, C] = shapes[0];
  const size = T * H * W * C;
  const data = new Float32Array(clips.length * size);
  const rng = new RandomStream(0);
  clips.forEach((clip, k) => (clip.height === crop && clip.width === crop ? exact : resized).apply(clip, rng, data, k * size));
  return toVideoBatch({ data, shape: [clips.length, T, H, W, C] }) as tf.Tensor5D;
}

function modelScorer(name: string, kind: 'run' | 'pixels' | 'untrained', models: SurpriseModels & { dispose(): void }, config: RunConfig, options: SurpriseOptions): Scorer {
  return {
    name,
    kind,
    score(clips) {
      const video = clipBatch(clips, config.data.crop);
      try {
        return surpriseScores(models, video, { ...options, target: config.target });
      } finally {
        video.dispose();
      }
    },
    dispose: models.dispose,
  };
}

/** The `untrained` baseline: the run's architecture at its initialisation, a predictor trained on its frozen features. */
async function untrainedScorer(config: RunConfig, steps: number, options: SurpriseOptions, log: (line: string) => void): Promise<Scorer> {
  const models = createPretrainingModels({ arch: config.model.arch, encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed });
  const dispose = () => [models.encoder, models.predictor, models.targetEncoder].forEach((m) => m.dispose());
  const { data } = config;
  const source = await openClipSource(data.spec, { synthetic: { seed: config.seed, numFrames: data.frames }, framesPerClip: data.frames, frameStep: data.frameStep });
  const loader = new ClipLoader(source, { batchSize: data.batchSize, transform: pretrainingTransform({ cropSize: data.crop }), seed: config.seed });
  const collator = new MaskCollator({
    grid: { frames: data.frames, crop: data.crop, patch: config.model.encoder.patch, tubelet: config.model.encoder.tubelet },
    generators: config.mask,
    seed: config.seed,
  });
  log(`untrained: training a predictor on the frozen features of an untrained ViT-${config.model.size} (seed ${config.seed}) for ${steps} steps on ${source.description ?? data.spec}`);
  try {
    const losses = await trainFrozenPredictor({
      models,
      next: async () => toVideoBatch(await loader.next()),
      masks: (batch) => collator.sample(batch),
      steps,
      recipe: config.optimization,
      onStep: (step, loss) => {
        if (step === 0 || (step + 1) % 50 === 0 || step + 1 === steps) log(`untrained: step ${step + 1}/${steps} loss ${loss.toFixed(4)}`);
      },
    });
    if (!losses.every(Number.isFinite)) fail('untrained predictor', 'finite losses', losses.find((l) => !Number.isFinite(l)));
  } catch (error) {
    dispose();
    throw error;
  } finally {
    loader.close();
  }
  return modelScorer('untrained', 'untrained', { ...models, dispose }, config, options);
}

function pixelScorer(kind: 'frame-diff' | 'tracker'): Scorer {
  const score = kind === 'frame-diff' ? frameDifferenceScores : constantVelocityScores;
  return { name: kind, kind, score: (clips) => clips.map(score), dispose: () => undefined };
}

/** The pair sets to score: the synthetic ones at the runs' clip size, or the user's CSV. */
function pairSets(options: SurpriseRunOptions, config: RunConfig): PairSet[] {
  if (options.pairs !== undefined) {
    if (options.sets !== undefined) fail('--sets', 'no --sets with --pairs (the CSV is the set)', options.sets);
    const rows = readVoePairCsv(options.pairs);
    const frameStep = positiveInteger('frameStep', options.frameStep, config.data.frameStep);
    return [{ name: basename(options.pairs), size: rows.length, get: (k) => decodeVoePair(rows[k], { numFrames: config.data.frames, frameStep }) }];
  }
  const names = options.sets ?? [...VOE_SETS];
  if (!Array.isArray(names) || names.length === 0) fail('sets', 'at least one pair set', names);
  const count = positiveInteger('count', options.count, 64);
  return names.map((name) => {
    voeSpec(name);
    const source = voePairSource(name, { seed: options.seed ?? 0, size: count, numFrames: config.data.frames, height: config.data.crop, width: config.data.crop });
    return { name: name.startsWith('synthetic:') ? name : `synthetic:${name}`, size: count, get: async (k: number) => source.get(k) };
  });
}

/** Scores every pair of a set with one scorer, `batchSize` clips at a time. */
async function scoreSet(scorer: Scorer, set: PairSet, batchSize: number): Promise<SurpriseRow> {
  const scores: SurpriseRow['scores'] = [];
  const perBatch = Math.max(1, Math.floor(batchSize / 2));
  for (let start = 0; start < set.size; start += perBatch) {
    const pairs = await Promise.all(Array.from({ length: Math.min(perBatch, set.size - start) }, (_, k) => set.get(start + k)));
    const out = scorer.score(pairs.flatMap((pair) => [pair.possible, pair.impossible]));
    for (let k = 0; k < pairs.length; k++) scores.push({ possible: out[2 * k], impossible: out[2 * k + 1] });
  }
  const by = (key: 'max' | 'mean') => ({ possible: scores.map((s) => s.possible[key]), impossible: scores.map((s) => s.impossible[key]) });
  const [max, mean] = [by('max'), by('mean')];
  return {
    scorer: scorer.name,
    kind: scorer.kind,
    set: set.name,
    pairs: scores.length,
    accuracy: { max: pairwiseAccuracy(max.possible, max.impossible), mean: pairwiseAccuracy(mean.possible, mean.impossible) },
    auroc: { max: auroc(max.possible, max.impossible), mean: auroc(mean.possible, mean.impossible) },
    scores,
  };
}

/**
 * `vjepa surprise`: scores each run and baseline on each pair set. Every option is checked, and every
 * run's configuration read, before any model is built.
 *
 * @example
 * const rows = await runSurprise({ runs: ['runs/small'], baselines: ['untrained', 'frame-diff', 'tracker'], count: 32 });
 * console.log(formatSurpriseTable(rows));
 */
export async function runSurprise(options: SurpriseRunOptions): Promise<SurpriseRow[]> {
  checkKeys('options', options, OPTION_KEYS);
  const log = options.log ?? console.log;
  const runs = options.runs ?? [];
  const baselines = options.baselines ?? [];
  for (const baseline of baselines) if (!SURPRISE_BASELINES.includes(baseline)) fail('baselines', SURPRISE_BASELINES.join(', '), baseline);
  if (runs.length === 0 && baselines.length === 0) fail('runs', 'at least one run or baseline to score', 'none');
  if (runs.length > 0 && options.config !== undefined) fail('config', "none beside runs (the baselines take the first run's configuration)", runs[0]);
  const configs = runConfigs(runs);
  const base = configs[0] ?? options.config ?? resolveRunConfig({});
  const scoreOptions: SurpriseOptions = { targetView: options.targetView, contextSteps: options.contextSteps };
  const sets = pairSets(options, base);
  const batchSize = positiveInteger('batchSize', options.batchSize, 8);
  const untrainedSteps = positiveInteger('untrainedSteps', options.untrainedSteps, 300);
  if (runs.length > 0 || baselines.includes('untrained')) {
    const choice = await selectBackend(options.backend ?? 'auto');
    log(`backend: ${choice.backend} (${choice.reason})`);
  }
  const makers: (() => Promise<Scorer>)[] = [
    ...runs.map((run, k) => async () => modelScorer(run, configs[k].target === 'pixels' ? 'pixels' : 'run', loadSurpriseModels(run, configs[k]), configs[k], scoreOptions)),
    ...baselines.map((baseline) => async () => (baseline === 'untrained' ? untrainedScorer(base, untrainedSteps, scoreOptions, log) : pixelScorer(baseline))),
  ];
  const rows: SurpriseRow[] = [];
  for (const make of makers) {
    const scorer = await make();
    try {
      for (const set of sets) {
        rows.push(await scoreSet(scorer, set, batchSize));
        log(`scored ${scorer.name} on ${set.name} (${set.size} pairs)`);
      }
    } finally {
      scorer.dispose();
    }
  }
  return rows;
}
