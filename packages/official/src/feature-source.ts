import { existsSync, statSync } from 'node:fs';
import { fail, RandomStream, verbatim } from '@vjepa/core';
import { layerFeatures, type EncoderLayer, type FeatureEncoder } from '@vjepa/probe';
import { resolveRunConfig, type RunConfig, type TrainFlags } from '@vjepa/trainer';
import { patchify } from '@vjepa/tubelet';
import { resolveVitConfig, VisionTransformer } from '@vjepa/vit';
import { checkpointRunConfig, loadEncoderWeights } from './encoder-source';
import { isTorchPath } from './torch-files';
import type { InferOverrides } from './infer-encoder';

/**
 * How to read a feature source. A source is where frozen features come from: a `vjepa train` output folder
 * or checkpoint directory, an official pretraining `.pth*` file, `random` (the same architecture untrained,
 * initialised as pretraining does) or `pixels` (no encoder: the raw tubelet pixels `[N, t·p·p·C]`, the
 * baseline every encoder must beat).
 */
export interface FeatureSourceOptions {
  /** Which encoder of a checkpoint (default `target`, as the official evaluation). */
  which?: 'target' | 'online';
  /** With a `.pth*` file: what its tensors cannot say (heads of a custom width, frames). */
  inferred?: InferOverrides;
  /** With `random` or `pixels`: the encoder's configuration (its geometry for `pixels`), as the flags of `vjepa train`. */
  modelFlags?: TrainFlags;
}

/** Frozen features ready for a probe, and what they came from. */
export interface FeatureSource {
  /** `pixels`, `random`, or the encoder read (`target`, `online`). */
  name: 'pixels' | 'random' | 'target' | 'online';
  /** One line saying what the features are, for logs. */
  description: string;
  /** The run configuration the features follow (clip geometry, encoder). */
  config: RunConfig;
  /** Attention heads of the encoder (of its configuration for `pixels`): the attentive probe's default. */
  heads: number;
  /** Clips `[B, T, H, W, C]` → features `[B, N, D]`, for `extractFeatures` and `runProbe`. */
  features: FeatureEncoder;
  /** The encoder, loaded; undefined for `pixels`. */
  encoder?: VisionTransformer;
  /** Frees the encoder's weights. */
  dispose(): void;
}

const ACCEPTED = "a vjepa train output folder, a checkpoint directory, a .pth.tar file, 'random' or 'pixels'";

/**
 * The run configuration behind a feature source, checked before any model is built: the one a run saved,
 * the one an official file's tensors imply, or `modelFlags` over the defaults for `random` and `pixels`.
 *
 * @throws UsageError naming `checkpoint` when `source` is none of the accepted forms.
 */
export function featureSourceConfig(source: string, options: FeatureSourceOptions = {}): RunConfig {
  if (source === 'random' || source === 'pixels') return resolveRunConfig(options.modelFlags ?? {});
  // A checkpoint's encoder has its own size: a model flag beside it would be silently ignored.
  const given = Object.entries(options.modelFlags ?? {}).find(([key, value]) => key !== 'seed' && value !== undefined);
  if (given) {
    const flag = `--${given[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    fail(flag, "no value with a checkpoint (it has its own encoder); the model flags are for --checkpoint random or pixels", given[1]);
  }
  if (existsSync(source) && !statSync(source).isDirectory() && !isTorchPath(source)) {
    fail('--checkpoint', ACCEPTED, verbatim(`${JSON.stringify(source)} (a file that is not a .pth.tar; a vjepa train checkpoint is a folder)`));
  }
  const config = checkpointRunConfig(source, options.which ?? 'target', options.inferred);
  if (!config) fail('--checkpoint', ACCEPTED, source);
  return config;
}

/**
 * The encoder of a run configuration, initialised as pretraining does from the run's seed, then, with a
 * `checkpoint`, loaded with the weights of its `which` encoder. Build it after the backend is selected.
 */
export function loadEncoder(config: RunConfig, checkpoint: string | undefined, which: 'target' | 'online' = 'target'): VisionTransformer {
  const encoder = new VisionTransformer(config.model.encoder, { rng: new RandomStream(config.seed), init: 'pretraining' });
  try {
    if (checkpoint !== undefined) loadEncoderWeights(checkpoint, which, encoder);
    return encoder;
  } catch (error) {
    encoder.dispose();
    throw error;
  }
}

/**
 * Opens a feature source for probing: the encoder loaded (or none for `pixels`) and its features at
 * `layers` (default the final norm; block numbers 1…depth and `final`, concatenated on the channels).
 *
 * @param source - the source (see {@link FeatureSourceOptions}), as {@link featureSourceConfig} took it.
 * @param config - its configuration, from {@link featureSourceConfig}.
 * @example
 * const config = featureSourceConfig('runs/quickstart/small-seed0');
 * await selectBackend('auto');
 * const source = openFeatureSource('runs/quickstart/small-seed0', config);
 * const { train, val } = await openProbeData({ train: 'synthetic:motion-noise', val: 'synthetic:motion-noise', ...config.data });
 * await runProbe({ features: source.features, heads: source.heads, train, val, labels: ['direction'] });
 * source.dispose();
 */
export function openFeatureSource(source: string, config: RunConfig, options: Pick<FeatureSourceOptions, 'which'> & { layers?: EncoderLayer[] } = {}): FeatureSource {
  const which = options.which ?? 'target';
  const vit = resolveVitConfig(config.model.encoder);
  if (source === 'pixels') {
    if (options.layers?.length) fail('layers', 'no layers for pixels (there is no encoder)', options.layers);
    return {
      name: 'pixels',
      description: `raw tubelet pixels (${vit.tubelet}×${vit.patch}×${vit.patch}×3 per token)`,
      config,
      heads: vit.heads,
      features: { apply: (video) => patchify(video, vit.tubelet, vit.patch) }, // [B, N, t·p·p·C]
      dispose: () => undefined,
    };
  }
  const random = source === 'random';
  const encoder = loadEncoder(config, random ? undefined : source, which);
  try {
    const features = layerFeatures(encoder, options.layers?.length ? options.layers : ['final']);
    return {
      name: random ? 'random' : which,
      description: random ? `an untrained ViT-${config.model.size} (seed ${config.seed})` : `the ${which} encoder of ${source}`,
      config,
      heads: vit.heads,
      features,
      encoder,
      dispose: () => encoder.dispose(),
    };
  } catch (error) {
    encoder.dispose();
    throw error;
  }
}
