import { fail } from '@vjepa/core';
import { ClipLoader, evalTransform, openClipSource, pretrainingTransform, videoFileSource, VIDEO_EXTENSIONS } from '@vjepa/data';
import type { Predictor } from '@vjepa/predictor';
import { createPretrainingModels, loadCheckpoint, savedRunConfig, type RunConfig } from '@vjepa/trainer';
import type { FrozenEncoder, FrozenModels } from './step';

/** The frozen models of a `vjepa train` run, loaded from its newest intact checkpoint. */
export interface FrozenRun {
  /** The run's configuration, as it saved it. */
  config: RunConfig;
  /** Its online encoder (the one its predictor was trained with) and predictor. */
  models: FrozenModels;
  /** Frees both. */
  dispose(): void;
}

/** The configuration a run saved, checked to regress `target`, before any model is built. */
export function frozenRunConfig(checkpoint: string, target: 'features' | 'pixels', flag = '--checkpoint'): RunConfig {
  const config = savedRunConfig(checkpoint);
  if (!config) fail(flag, 'a vjepa train output folder or checkpoint directory (with its saved run config)', checkpoint);
  if (config.target !== target) fail(flag, `a run with --target ${target}`, `a run with --target ${config.target} (${checkpoint})`);
  return config;
}

/**
 * The encoder and predictor of a run, built as its pretraining built them (`createPretrainingModels`) and
 * loaded from its checkpoint (`loadCheckpoint`: sizes and SHA-256 checked). Build after the backend is selected.
 */
export function loadFrozenRun(checkpoint: string, config: RunConfig): FrozenRun {
  // The decoder places its tokens with V-JEPA 1's sin-cos table; RoPE positions (V-JEPA 2) are not there yet.
  if ((config.model.arch ?? 'vjepa') !== 'vjepa') fail(`${checkpoint}: model.arch`, "a V-JEPA 1 run ('vjepa'; the decoder has no RoPE positions yet)", config.model.arch);
  const built = createPretrainingModels({ encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
  built.targetEncoder.dispose();
  const models = { encoder: built.encoder as FrozenEncoder, predictor: built.predictor as Predictor };
  const dispose = () => {
    models.encoder.dispose();
    models.predictor.dispose();
  };
  try {
    loadCheckpoint(checkpoint, { encoder: models.encoder, predictor: models.predictor });
  } catch (error) {
    dispose();
    throw error;
  }
  return { config, models, dispose };
}

/** Options of {@link openRunClips}. */
export interface RunClipsOptions {
  /** `train`: random crops as pretraining (shuffled); `eval`: the resize and centre crop of evaluation, in order. */
  mode: 'train' | 'eval';
  batchSize: number;
  /** Seed of the loader and of a synthetic set. */
  seed: number;
  onWarning?: (message: string) => void;
}

/**
 * Clips at a run's geometry from `spec`: a video file (`.mp4`, …), `synthetic[:NAME]`, a CSV index or a
 * folder, as `vjepa train` opens them.
 */
export async function openRunClips(spec: string, config: RunConfig, options: RunClipsOptions): Promise<ClipLoader> {
  const { data } = config;
  const isFile = VIDEO_EXTENSIONS.some((ext) => spec.toLowerCase().endsWith(ext));
  const decodeSize = spec.startsWith('synthetic') ? undefined : { shorterSide: Math.round((data.crop * 256) / 224) };
  const source = isFile
    ? videoFileSource([{ path: spec }], { framesPerClip: data.frames, frameStep: data.frameStep, decodeSize })
    : await openClipSource(spec, { synthetic: { seed: options.seed, numFrames: data.frames }, framesPerClip: data.frames, frameStep: data.frameStep, decodeSize });
  const train = options.mode === 'train';
  return new ClipLoader(source, {
    batchSize: Math.min(options.batchSize, source.size),
    transform: train ? pretrainingTransform({ cropSize: data.crop }) : evalTransform({ cropSize: data.crop }),
    seed: options.seed,
    shuffle: train,
    ...(train ? {} : { dropLast: false }),
    onWarning: options.onWarning,
  });
}
