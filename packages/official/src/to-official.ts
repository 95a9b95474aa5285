import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkKeys, fail, optionKeys, type Module } from '@vjepa/core';
import { createPretrainingModels, loadCheckpoint, readRunState } from '@vjepa/trainer';
import { PyFloat, PyOrderedDict, saveTorchFile, type TensorValue } from '@vjepa/torch-format';
import { officialLayout } from './official-groups';
import { toOfficialOptimizer } from './official-optimizer';

/** Key of the extra entry that keeps what only vjepa-ts needs to resume (ignored by the official code). */
export const VJEPA_STATE_KEY = 'vjepa_ts_state';

/**
 * Key of the state entry that keeps what an imported official file said at its step (`epoch`, `loss`,
 * `lr`), so that exporting the same step again writes the same values back.
 */
export const OFFICIAL_ORIGIN_KEY = 'official';

/** What {@link OFFICIAL_ORIGIN_KEY} holds. */
export interface OfficialOrigin {
  /** Our step at the import. */
  step: number;
  epoch: number | null;
  loss: number | null;
  lr: number | null;
}

function originAt(state: Record<string, unknown>, step: number): OfficialOrigin | null {
  const origin = state[OFFICIAL_ORIGIN_KEY] as OfficialOrigin | undefined;
  return origin && typeof origin === 'object' && origin.step === step ? origin : null;
}

/** Options of {@link folderToOfficial}. */
export interface ToOfficialOptions {
  /**
   * Iterations per epoch of the official config, to turn our step count into `epoch` (default 300, the
   * released configs' ipe). Without it, a checkpoint imported from an official file and not trained since
   * gets the file's own `epoch` back.
   */
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
  checkKeys('options', options, optionKeys<ToOfficialOptions>({ ipe: true, scaler: true }));
  if (!Number.isInteger(ipe) || ipe < 1) fail('--ipe', 'a positive integer', ipe);
  const scaler = options.scaler ?? 'none';
  if (scaler !== 'none' && scaler !== 'fresh') fail('--scaler', 'none or fresh', scaler);
  const read = readRunState(input);
  if (!read) fail('IN', 'a vjepa train output folder or checkpoint directory', input);
  const { dir, state: saved } = read;
  const config = saved.config;
  if (!config?.model) fail(`${dir}/state.json: config`, 'the run config vjepa train saves', config);
  const models = createPretrainingModels({ arch: config.model.arch, encoder: config.model.encoder, predictor: config.model.predictor, seed: config.seed, target: config.target });
  try {
    const modules = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder };
    const loaded = loadCheckpoint(dir, modules);
    const optimizer = loaded.optimizer;
    const opt = toOfficialOptimizer(officialLayout({ encoder: models.encoder, predictor: models.predictor }), optimizer, {
      lr: config.optimization.lr,
      weightDecay: config.optimization.weightDecay,
    });
    const step = loaded.state.step;
    const origin = originAt(saved, step);
    const epoch = options.ipe === undefined && origin?.epoch != null ? origin.epoch : Math.floor(step / ipe);
    const loss = lossAt(dir, step) ?? origin?.loss ?? null;
    const lr = origin?.lr ?? config.optimization.lr; // the configured reference lr, as the official code saves it
    const { format: _format, ...ours } = saved;
    saveTorchFile(output, {
      encoder: officialStateDict(models.encoder),
      predictor: officialStateDict(models.predictor),
      opt,
      scaler: scaler === 'fresh' ? freshGradScaler() : null,
      target_encoder: officialStateDict(models.targetEncoder),
      epoch,
      loss: loss === null ? null : new PyFloat(loss),
      batch_size: config.data.batchSize,
      world_size: 1,
      lr: new PyFloat(lr),
      [VJEPA_STATE_KEY]: JSON.stringify(ours),
    });
    return { dir, states: (opt.get('state') as Map<number, unknown>).size, epoch };
  } finally {
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  }
}
