import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, type Module } from '@vjepa/core';
import { createPretrainingModels, loadCheckpoint, paramGroups, readRunState } from '@vjepa/trainer';
import { PyFloat, PyOrderedDict, pyTuple, saveTorchFile, type TensorValue } from '@vjepa/torch-format';

/** Key of the extra entry that keeps what only vjepa-ts needs to resume (ignored by the official code). */
export const VJEPA_STATE_KEY = 'vjepa_ts_state';

/** Options of {@link folderToOfficial}. */
export interface ToOfficialOptions {
  /** Iterations per epoch of the official config, to turn our step count into `epoch` (default 300, the released configs' ipe). */
  ipe?: number;
  /**
   * `none` (default): `scaler` None, as a run without mixed precision saves it. `fresh`: the state of a new
   * `torch.cuda.amp.GradScaler` (scale 65536), which the official `load_checkpoint` of a mixed-precision
   * run (every released config) needs, since it calls `scaler.load_state_dict(checkpoint['scaler'])`.
   */
  scaler?: 'none' | 'fresh';
}

/** What `torch.cuda.amp.GradScaler().state_dict()` holds before any step. */
function freshGradScaler(): Map<string, unknown> {
  return new Map<string, unknown>([
    ['scale', new PyFloat(65536)],
    ['growth_factor', new PyFloat(2)],
    ['backoff_factor', new PyFloat(0.5)],
    ['growth_interval', 2000],
    ['_growth_tracker', 0],
  ]);
}

function f32(shape: readonly number[], data: Float32Array): TensorValue {
  return { dtype: 'F32', shape: [...shape], data };
}

/** A module's state as the official code saves it: every key prefixed with `module.backbone.`, in state order. */
function officialStateDict(module: Module): PyOrderedDict<string, TensorValue> {
  const out = new PyOrderedDict<string, TensorValue>();
  for (const [key, variable] of module.stateDict()) out.set(`module.backbone.${key}`, f32(variable.shape, Float32Array.from(variable.dataSync() as Float32Array)));
  return out;
}

/** The loss of the step that led to checkpoint `step`, from the run's metrics.jsonl (beside checkpoints/), or null. */
function lossAt(dir: string, step: number): number | null {
  const metrics = join(dirname(dirname(dir)), 'metrics.jsonl');
  if (!existsSync(metrics)) return null;
  for (const line of readFileSync(metrics, 'utf8').trim().split('\n').reverse()) {
    const entry = JSON.parse(line) as { step?: number; loss?: number };
    if (entry.step === step - 1 && typeof entry.loss === 'number') return entry.loss;
  }
  return null;
}

/**
 * A `vjepa train` folder (its latest checkpoint) or checkpoint directory → a `.pth.tar` in the official
 * pretraining layout: `encoder`, `predictor`, `target_encoder` with `module.backbone.` keys; `opt` as
 * `torch.optim.AdamW.state_dict()` with the official four groups (encoder decayed, predictor decayed,
 * encoder not decayed, predictor not decayed), `state` keyed by position; `scaler` None, `epoch`, `loss`,
 * `batch_size`, `world_size`, `lr` (the configured reference lr); plus `vjepa_ts_state` (schedules, data and mask streams) for our own resume.
 *
 * @returns the checkpoint directory read and the number of optimizer states written.
 */
export function folderToOfficial(input: string, output: string, options: ToOfficialOptions = {}): { dir: string; states: number; epoch: number } {
  const ipe = options.ipe ?? 300;
  if (!Number.isInteger(ipe) || ipe < 1) fail('--ipe', 'a positive integer', ipe);
  const scaler = options.scaler ?? 'none';
  if (scaler !== 'none' && scaler !== 'fresh') fail('--scaler', 'none or fresh', scaler);
  const read = readRunState(input);
  if (!read) fail('IN', 'a vjepa train output folder or checkpoint directory', input);
  const { dir, state: saved } = read;
  const config = saved.config;
  if (!config?.model) fail(`${dir}/state.json: config`, 'the run config vjepa train saves', config);
  const models = createPretrainingModels({ encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
  try {
    const modules = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder };
    const loaded = loadCheckpoint(dir, modules);
    const groups = paramGroups({ encoder: models.encoder, predictor: models.predictor });
    const optimizer = loaded.optimizer;
    const groupSettings = new Map((optimizer?.groups ?? []).map((g) => [g.name, g]));
    const betas = pyTuple([new PyFloat(0.9), new PyFloat(0.999)]);
    const state = new Map<number, Map<string, unknown>>();
    const paramGroupsOut: Map<string, unknown>[] = [];
    let position = 0;
    for (const group of groups) {
      const settings = groupSettings.get(group.name);
      const params: number[] = [];
      for (const [key, variable] of group.params) {
        const slot = optimizer?.params[key];
        if (slot) {
          state.set(
            position,
            new Map<string, unknown>([
              ['step', f32([], new Float32Array([slot.step]))],
              ['exp_avg', f32(variable.shape, Float32Array.from(slot.expAvg.data as Float32Array))],
              ['exp_avg_sq', f32(variable.shape, Float32Array.from(slot.expAvgSq.data as Float32Array))],
            ]),
          );
        }
        params.push(position++);
      }
      const entry = new Map<string, unknown>([
        ['lr', new PyFloat(settings?.lr ?? config.optimization.lr)],
        ['betas', betas],
        ['eps', new PyFloat(1e-8)],
        ['weight_decay', new PyFloat(group.applyWeightDecay ? (settings?.weightDecay ?? config.optimization.weightDecay) : 0)],
        ['amsgrad', false],
        ['foreach', null],
        ['maximize', false],
        ['capturable', false],
        ['differentiable', false],
        ['fused', null],
      ]);
      if (!group.applyWeightDecay) entry.set('WD_exclude', true);
      entry.set('params', params);
      paramGroupsOut.push(entry);
    }
    const step = loaded.state.step;
    const epoch = Math.floor(step / ipe);
    const loss = lossAt(dir, step);
    const lr = config.optimization.lr; // the configured reference lr, as the official code saves it
    const { format: _format, ...ours } = saved;
    saveTorchFile(output, {
      encoder: officialStateDict(models.encoder),
      predictor: officialStateDict(models.predictor),
      opt: new Map<string, unknown>([
        ['state', state],
        ['param_groups', paramGroupsOut],
      ]),
      scaler: scaler === 'fresh' ? freshGradScaler() : null,
      target_encoder: officialStateDict(models.targetEncoder),
      epoch,
      loss: loss === null ? null : new PyFloat(loss),
      batch_size: config.data.batchSize,
      world_size: 1,
      lr: new PyFloat(lr),
      [VJEPA_STATE_KEY]: JSON.stringify(ours),
    });
    return { dir, states: state.size, epoch };
  } finally {
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  }
}
