/**
 * Labelled clip sets for frozen evaluation: every clip of a data set under each spatial view's transform
 * and in each temporal segment (spec §11.3, §11.5), and the train / validation pair a probe reads.
 *
 * @packageDocumentation
 */
import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { ClipLoader } from './loader';
import type { LoaderBatch } from './loader-types';
import { labelsPerClassSource, subsetSource, type LabelsPerClass } from './label-subset';
import { openClipSource } from './open';
import { sampleEvalClips } from './sampling';
import type { SyntheticSplit } from './synthetic-mnist';
import { evalTransform, multiViewTransform } from './transforms';
import type { ClipSource } from './types';

/** Options of {@link openEvalClips}. */
export interface EvalClipOptions {
  /** Frames per clip. */
  frames: number;
  /** Frame step of the clip windows in a video. */
  frameStep: number;
  /** Clip side in pixels after the resize and crop. */
  crop: number;
  /** Spatial views, the softmax of which the evaluation averages (default 1: the single-view test transform). */
  views?: number;
  /** Temporal segments per video, their tokens concatenated (default 1). */
  segments?: number;
  /** Clips per batch (default 16). */
  batchSize?: number;
  /** With a synthetic set: its content seed (default 0). */
  seed?: number;
  /** With a synthetic set: its number of clips (default the set's size). */
  size?: number;
  /** With a synthetic set: `train` (default) or `val` (Moving MNIST's held-out digit images). */
  split?: SyntheticSplit;
  /** Keep a seeded, class-balanced subset: `count` clips of every class of `label` (label efficiency). */
  labelsPerClass?: LabelsPerClass;
}

/** Every clip of a data set per spatial view and temporal segment; a `LabelledClips` of `@vjepa/probe`. */
export interface EvalClipSet {
  /** Clips (videos) in the set. */
  readonly size: number;
  readonly views: number;
  readonly segments: number;
  /** The source's description, for messages. */
  readonly description?: string;
  /** The clip source of each segment (the subset, with `labelsPerClass`), e.g. for a shuffled training loader. */
  readonly sources: readonly ClipSource[];
  /** The clips of one view and one segment in source order (no shuffle, the last short batch kept). */
  batches(view: number, segment: number): AsyncGenerator<LoaderBatch>;
}

const EVAL_CLIP_KEYS = optionKeys<EvalClipOptions>({
  frames: true, frameStep: true, crop: true, views: true, segments: true, batchSize: true, seed: true, size: true, split: true, labelsPerClass: true,
});

function positive(argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(argument, 'a positive integer', value);
  return value as number;
}

/**
 * The clip set named by `spec` (`synthetic[:NAME]`, a CSV index, a folder) for evaluation: segment `s` of
 * `S` takes the `s`-th of the official evaluation windows of each video (`sampleEvalClips`, fixed offsets);
 * view `v` of `V` is `multiViewTransform(v, V)`, or `evalTransform` (resize, centre crop) for one view.
 *
 * @example
 * const val = await openEvalClips('val.csv', { frames: 16, frameStep: 4, crop: 224, views: 3, segments: 2 });
 * for await (const batch of val.batches(0, 1)) ...; // view 0, segment 1: [B, 16, 224, 224, 3] and the labels
 */
export async function openEvalClips(spec: string, options: EvalClipOptions): Promise<EvalClipSet> {
  checkKeys('options', options, EVAL_CLIP_KEYS);
  const { frames, frameStep, crop } = options;
  const views = positive('views', options.views ?? 1);
  const segments = positive('segments', options.segments ?? 1);
  const batchSize = positive('batchSize', options.batchSize ?? 16);
  const sources: ClipSource[] = [];
  for (let segment = 0; segment < segments; segment++) {
    sources.push(
      await openClipSource(spec, {
        // `split` keeps Moving MNIST's validation digits out of the training clips (the seeds differ too)
        synthetic: { seed: options.seed ?? 0, numFrames: frames, size: options.size, split: options.split ?? 'train' },
        sampler: (n) => sampleEvalClips(n, segments, null, { framesPerClip: frames, frameStep, randomClipSampling: false })[segment],
      }),
    );
  }
  if (options.labelsPerClass) {
    // the same clips in every segment: the subset is chosen once, on the first segment's labels
    const { indices, source } = await labelsPerClassSource(sources[0], options.labelsPerClass);
    sources.splice(0, sources.length, source, ...sources.slice(1).map((other) => subsetSource(other, indices, source.description)));
  }
  return {
    size: sources[0].size,
    views,
    segments,
    description: sources[0].description,
    sources,
    async *batches(view: number, segment: number) {
      const transform = views === 1 ? evalTransform({ cropSize: crop }) : multiViewTransform(view, views, { cropSize: crop });
      const loader = new ClipLoader(sources[segment], { batchSize, transform, seed: 0, shuffle: false, dropLast: false });
      try {
        yield* loader.iterateEpoch();
      } finally {
        loader.close();
      }
    },
  };
}

/** Options of {@link openProbeData}. */
export interface ProbeDataOptions extends Pick<EvalClipOptions, 'frames' | 'frameStep' | 'crop' | 'segments' | 'batchSize'> {
  /** The training clips: `synthetic[:NAME]`, a CSV index or a folder. */
  train: string;
  /** The validation clips, same forms. */
  val: string;
  /** Spatial views of the validation clips (the training clips have one); default 1. */
  views?: number;
  /** The probe's seed: synthetic training clips use 1000 + seed, validation clips 2000 + seed (default 0). */
  seed?: number;
  /** Clips of a synthetic training set (default 1024). */
  trainSize?: number;
  /** Clips of a synthetic validation set (default 512). */
  valSize?: number;
  /** Train on a seeded, class-balanced subset of the training clips (the seed defaults to `seed`); validation keeps every clip. */
  labelsPerClass?: LabelsPerClass;
}

const PROBE_DATA_KEYS = optionKeys<ProbeDataOptions>({
  train: true, val: true, frames: true, frameStep: true, crop: true, segments: true, batchSize: true, views: true, seed: true, trainSize: true, valSize: true,
  labelsPerClass: true,
});

/**
 * The training and validation sets of a probe, as `vjepa probe` reads them: the training clips in one
 * view, the validation clips in `views`; synthetic sets of `trainSize` / `valSize` clips with seeds
 * 1000 + `seed` / 2000 + `seed` and the `train` / `val` split, so the two sets never share a clip.
 */
export async function openProbeData(options: ProbeDataOptions): Promise<{ train: EvalClipSet; val: EvalClipSet }> {
  checkKeys('options', options, PROBE_DATA_KEYS);
  const { train: trainSpec, val: valSpec, views, seed = 0, trainSize, valSize, labelsPerClass, ...common } = options;
  const synthetic = (spec: string) => spec.startsWith('synthetic');
  const subset = labelsPerClass ? { labelsPerClass: { seed, ...labelsPerClass } } : {};
  const train = await openEvalClips(trainSpec, { ...common, seed: 1000 + seed, size: trainSize ?? (synthetic(trainSpec) ? 1024 : undefined), views: 1, split: 'train', ...subset });
  const val = await openEvalClips(valSpec, { ...common, seed: 2000 + seed, size: valSize ?? (synthetic(valSpec) ? 512 : undefined), views, split: 'val' });
  return { train, val };
}
