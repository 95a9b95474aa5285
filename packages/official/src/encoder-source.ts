import { fail } from '@vjepa/core';
import { loadCheckpoint, resolveRunConfig, savedRunConfig, type RunConfig } from '@vjepa/trainer';
import { resolveVitConfig, VIT_SIZES, type VisionTransformer, type VitSize } from '@vjepa/vit';
import { inferEncoderConfig, type InferOverrides } from './infer-encoder';
import { isTorchPath, readOfficialEncoder, type HostStateDict } from './torch-files';

/**
 * The run configuration behind a `--checkpoint`: the one saved by `vjepa train` in a folder, or, for an
 * official `.pth*` file, the defaults with the encoder its tensors imply (see `inferEncoderConfig`).
 * Null when the path is neither.
 */
export function checkpointRunConfig(checkpoint: string, which: 'target' | 'online' = 'target', overrides: InferOverrides = {}): RunConfig | null {
  if (!isTorchPath(checkpoint)) return savedRunConfig(checkpoint);
  const { state } = readOfficialEncoder(checkpoint, which);
  return runConfigForEncoder(state, checkpoint, overrides);
}

/** The defaults of `vjepa train` with the encoder a state dict implies. */
export function runConfigForEncoder(state: HostStateDict, source: string, overrides: InferOverrides = {}): RunConfig {
  const encoder = resolveVitConfig(inferEncoderConfig(state, source, overrides));
  const base = resolveRunConfig({});
  const size = (Object.keys(VIT_SIZES) as VitSize[]).find((name) => VIT_SIZES[name].dim === encoder.dim) ?? base.model.size;
  return { ...base, data: { ...base.data, crop: encoder.imageSize, frames: encoder.frames }, model: { ...base.model, size, encoder } };
}

/**
 * Loads the weights of `--checkpoint` into `encoder`: a `vjepa train` folder or checkpoint directory, or
 * an official pretraining `.pth*` file (`target_encoder`, else `encoder`, for `target`).
 */
export function loadEncoderWeights(checkpoint: string, which: 'target' | 'online', encoder: VisionTransformer): void {
  if (!isTorchPath(checkpoint)) {
    loadCheckpoint(checkpoint, { [which === 'target' ? 'target_encoder' : 'encoder']: encoder });
    return;
  }
  const { state, key } = readOfficialEncoder(checkpoint, which);
  if (which === 'online' && key !== 'encoder') fail('--encoder online', `an 'encoder' in ${checkpoint}`, 'none');
  encoder.loadStateDict(state, { source: `${checkpoint} (${key})` });
}
