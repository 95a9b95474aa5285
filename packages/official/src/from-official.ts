import { join } from 'node:path';
import { CheckpointError, fail } from '@vjepa/core';
import { createPretrainingModels, resolveRunConfig, saveCheckpoint, type RunConfig } from '@vjepa/trainer';
import { readVjepa2 } from './vjepa2';
import { runConfigForEncoder } from './encoder-source';
import type { InferOverrides } from './infer-encoder';
import { officialLayout } from './official-groups';
import { fromOfficialOptimizer } from './official-optimizer';
import { OFFICIAL_ORIGIN_KEY, VJEPA_STATE_KEY, type OfficialOrigin } from './to-official';
import { hostStateDict, numberOrNull, withTorchFile } from './torch-files';

function dict(root: Map<unknown, unknown>, key: string, path: string): Map<unknown, unknown> {
  const value = root.get(key);
  if (!(value instanceof Map)) fail(`${path}: ${key}`, 'a state dict', value ?? 'none', undefined, CheckpointError);
  return value;
}

/** `config` with the official run's per-device batch size, when the file says one. */
function withFileBatch(config: RunConfig, batchSize: unknown): RunConfig {
  return Number.isInteger(batchSize) && (batchSize as number) > 0 ? { ...config, data: { ...config.data, batchSize: batchSize as number } } : config;
}

/**
 * The run config of a V-JEPA 2 pretraining file (no positional table): the architecture the readers of
 * `./vjepa2` infer from its shapes, with the caller's heads and frames for what the tensors cannot say.
 */
function vjepa2RunConfig(input: string, overrides: InferOverrides): RunConfig {
  const { arch } = readVjepa2(input, { heads: overrides.heads, predictorHeads: overrides.heads, frames: overrides.frames, imageSize: overrides.imageSize });
  const e = arch.encoder;
  const p = arch.predictor;
  if (!e || !p) fail(`${input}`, 'a V-JEPA 2 pretraining checkpoint with an encoder and a predictor', arch.predictor ? 'no encoder' : 'no predictor', undefined, CheckpointError);
  const base = resolveRunConfig({});
  const encoder = { ...base.model.encoder, dim: e.dim, depth: e.depth, heads: e.heads, mlpRatio: e.mlpRatio, patch: e.patch, tubelet: e.tubelet, frames: e.frames, imageSize: e.imageSize, channels: e.channels, qkvBias: e.qkvBias, normEps: e.normEps };
  return {
    ...base,
    data: { ...base.data, crop: e.imageSize, frames: e.frames },
    model: { ...base.model, arch: 'vjepa2', encoder, predictor: { dim: p.dim, depth: p.depth, heads: p.heads } },
  };
}

/**
 * An official pretraining `.pth.tar` → a checkpoint folder of ours under `output/checkpoints` (weights,
 * AdamW moments and step counts, group learning rates and weight decays), so `vjepa train --resume output`
 * continues the run. The model is inferred from the tensors' shapes; a file we wrote (with
 * `vjepa_ts_state`) gets its schedules, data and mask streams and run config back exactly.
 *
 * @returns the checkpoint directory written and its step.
 */
export function officialToFolder(input: string, output: string, overrides: InferOverrides = {}): { dir: string; step: number } {
  return withTorchFile(input, (_file, root) => {
    const encoderState = hostStateDict(dict(root, 'encoder', input), `${input}: encoder`);
    const predictorState = hostStateDict(dict(root, 'predictor', input), `${input}: predictor`);
    const targetState = root.has('target_encoder') ? hostStateDict(dict(root, 'target_encoder', input), `${input}: target_encoder`) : encoderState;
    const extra = root.get(VJEPA_STATE_KEY);
    const ours = typeof extra === 'string' ? (JSON.parse(extra) as Record<string, unknown> & { config: RunConfig; step: number }) : null;
    let config: RunConfig;
    if (ours) config = ours.config;
    else if (!encoderState.has('pos_embed')) config = withFileBatch(vjepa2RunConfig(input, overrides), root.get('batch_size'));
    else {
      const base = runConfigForEncoder(encoderState, input, overrides);
      if (overrides.imageSize !== undefined && overrides.imageSize !== base.model.encoder.imageSize) {
        fail('--image-size', `${base.model.encoder.imageSize}, what the positional table of ${input} holds (or no --image-size)`, overrides.imageSize);
      }
      const embed = predictorState.get('predictor_embed.weight');
      let depth = 0;
      while (predictorState.has(`predictor_blocks.${depth}.norm1.weight`)) depth++;
      if (!embed || depth === 0) fail(`${input}: predictor`, 'predictor_embed.weight and predictor_blocks.N keys', [...predictorState.keys()].slice(0, 4), undefined, CheckpointError);
      let tokens = 0;
      while (predictorState.has(`mask_tokens.${tokens}`)) tokens++;
      config = withFileBatch({
        ...base,
        model: { ...base.model, predictor: { dim: embed.shape[0], depth, ...(tokens ? { numMaskTokens: tokens } : {}) } as RunConfig['model']['predictor'] },
      }, root.get('batch_size'));
    }
    const models = createPretrainingModels({ arch: config.model.arch, encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
    try {
      models.encoder.loadStateDict(encoderState, { source: `${input} (encoder)` });
      models.predictor.loadStateDict(predictorState, { source: `${input} (predictor)` });
      models.targetEncoder.loadStateDict(targetState, { source: `${input} (target_encoder)` });
      const optimizer = root.has('opt') && root.get('opt') !== null ? fromOfficialOptimizer(root.get('opt'), officialLayout({ encoder: models.encoder, predictor: models.predictor }), input) : undefined;
      const step = ours?.step ?? optimizer?.stepCount ?? 0;
      if (optimizer) optimizer.stepCount = step;
      const origin: OfficialOrigin = { step, epoch: numberOrNull(root.get('epoch')), loss: numberOrNull(root.get('loss')), lr: numberOrNull(root.get('lr')) };
      const schedules = { lr: { step }, wd: { step }, momentum: { step } };
      const { format: _f, optimizer: _o, ...restored } = (ours ?? {}) as Record<string, unknown>;
      const state = ours ? { ...restored, step } : { step, trainStep: schedules, config, source: null, masks: null, [OFFICIAL_ORIGIN_KEY]: origin };
      const modules = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder };
      return { dir: saveCheckpoint(join(output, 'checkpoints'), modules, state as never, optimizer), step };
    } finally {
      models.encoder.dispose();
      models.predictor.dispose();
      models.targetEncoder.dispose();
    }
  });
}
