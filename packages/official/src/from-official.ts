import { join } from 'node:path';
import { fail, type HostTensor } from '@vjepa/core';
import { createPretrainingModels, paramGroups, saveCheckpoint, type AdamWState, type RunConfig } from '@vjepa/trainer';
import { TorchTensor } from '@vjepa/torch-format';
import { runConfigForEncoder } from './encoder-source';
import type { InferOverrides } from './infer-encoder';
import { VJEPA_STATE_KEY } from './to-official';
import { hostStateDict, withTorchFile } from './torch-files';

function dict(root: Map<unknown, unknown>, key: string, path: string): Map<unknown, unknown> {
  const value = root.get(key);
  if (!(value instanceof Map)) fail(`${path}: ${key}`, 'a state dict', value ?? 'none');
  return value;
}

function scalar(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  if (value instanceof TorchTensor && value.numel === 1) return value.readFloat32()[0];
  fail(where, 'a number or a one-element tensor', value);
}

function host(value: unknown, where: string): HostTensor {
  if (!(value instanceof TorchTensor)) fail(where, 'a tensor', value);
  return { shape: [...value.shape], data: value.readFloat32() };
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
    else {
      const base = runConfigForEncoder(encoderState, input, overrides);
      const embed = predictorState.get('predictor_embed.weight');
      let depth = 0;
      while (predictorState.has(`predictor_blocks.${depth}.norm1.weight`)) depth++;
      if (!embed || depth === 0) fail(`${input}: predictor`, 'predictor_embed.weight and predictor_blocks.N keys', [...predictorState.keys()].slice(0, 4));
      let tokens = 0;
      while (predictorState.has(`mask_tokens.${tokens}`)) tokens++;
      config = { ...base, model: { ...base.model, predictor: { dim: embed.shape[0], depth, ...(tokens ? { numMaskTokens: tokens } : {}) } as RunConfig['model']['predictor'] } };
    }
    const models = createPretrainingModels({ encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
    try {
      models.encoder.loadStateDict(encoderState, { source: `${input} (encoder)` });
      models.predictor.loadStateDict(predictorState, { source: `${input} (predictor)` });
      models.targetEncoder.loadStateDict(targetState, { source: `${input} (target_encoder)` });
      const optimizer = root.has('opt') && root.get('opt') !== null ? readOptimizer(root.get('opt'), models, input) : undefined;
      const step = ours?.step ?? (optimizer ? Math.max(0, ...Object.values(optimizer.params).map((p) => p.step)) : 0);
      if (optimizer) optimizer.stepCount = step;
      const schedules = { lr: { step }, wd: { step }, momentum: { step } };
      const { format: _f, optimizer: _o, ...restored } = (ours ?? {}) as Record<string, unknown>;
      const state = ours ? { ...restored, step } : { step, trainStep: schedules, config, source: null, masks: null, officialEpoch: root.get('epoch') ?? null };
      const modules = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder };
      return { dir: saveCheckpoint(join(output, 'checkpoints'), modules, state as never, optimizer), step };
    } finally {
      models.encoder.dispose();
      models.predictor.dispose();
      models.targetEncoder.dispose();
    }
  });
}

/**
 * `torch.optim.AdamW.state_dict()` → our AdamW state. With the official four groups, positions follow our
 * groups in order (encoder decayed, predictor decayed, encoder not decayed, predictor not decayed); with one
 * group, they follow the encoder's then the predictor's parameters. Every moment's shape is checked.
 */
function readOptimizer(opt: unknown, models: ReturnType<typeof createPretrainingModels>, path: string): AdamWState {
  if (!(opt instanceof Map)) fail(`${path}: opt`, 'an optimizer state_dict', opt);
  const groups = paramGroups({ encoder: models.encoder, predictor: models.predictor });
  const saved = opt.get('param_groups');
  const state = opt.get('state');
  if (!Array.isArray(saved) || !saved.every((g) => g instanceof Map) || !(state instanceof Map)) fail(`${path}: opt`, 'state and param_groups', [...opt.keys()].map(String));
  const official = saved.length === groups.length;
  if (!official && saved.length !== 1) fail(`${path}: opt param_groups`, `${groups.length} groups (the official layout) or 1`, saved.length);
  const keys: string[] = official
    ? groups.flatMap((g) => [...g.params.keys()])
    : (['encoder', 'predictor'] as const).flatMap((name) => [...models[name].parameters()].map(([key]) => `${name}/${key}`));
  const positions = (saved as Map<string, unknown>[]).flatMap((g) => (g.get('params') as number[]) ?? []);
  if (positions.length !== keys.length) fail(`${path}: opt param_groups params`, `${keys.length} parameters (encoder and predictor)`, positions.length);
  const variables = new Map(groups.flatMap((g) => [...g.params]));
  const params: AdamWState['params'] = {};
  positions.forEach((position, i) => {
    const entry = state.get(position);
    if (!(entry instanceof Map)) return; // never stepped
    const key = keys[i];
    const where = `${path}: opt state ${position} (${key})`;
    const expAvg = host(entry.get('exp_avg'), `${where} exp_avg`);
    const expAvgSq = host(entry.get('exp_avg_sq'), `${where} exp_avg_sq`);
    const shape = variables.get(key)!.shape;
    for (const [name, moment] of [['exp_avg', expAvg], ['exp_avg_sq', expAvgSq]] as const) {
      if (moment.shape.join() !== shape.join()) fail(`${where} ${name}`, `shape [${shape}]`, moment.shape);
    }
    params[key] = { step: Math.round(scalar(entry.get('step'), `${where} step`)), expAvg, expAvgSq };
  });
  const settings = (i: number) => (saved as Map<string, unknown>[])[official ? i : 0];
  const out = groups.map((g, i) => ({ name: g.name, lr: Number(settings(i).get('lr')), weightDecay: g.applyWeightDecay ? Number(settings(i).get('weight_decay')) : 0 }));
  return { stepCount: 0, groups: out, params };
}
