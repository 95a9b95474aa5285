import { CheckpointError, fail, type Module } from '@vjepa/core';
import type { AdamWState } from '@vjepa/trainer';
import { PyFloat, PyOrderedDict, saveTorchFile, type TensorValue } from '@vjepa/torch-format';
import { officialLayout } from './official-groups';
import { fromOfficialOptimizer, toOfficialOptimizer } from './official-optimizer';
import { hostStateDict, numberOrNull, withTorchFile } from './torch-files';

/** The name our probe trainer gives the probe module: its groups are `probe/decay`, `probe/no-decay`. */
const PROBE = 'probe';

/** What an official probe checkpoint says besides the weights. */
export interface OfficialProbeRun {
  /** The AdamW state, mapped to the probe's parameters by name; undefined when the file has no `opt`. */
  optimizer?: AdamWState;
  /** Epochs done (`epoch`), to pass as `trainProbe`'s `startEpoch`. */
  epoch: number;
  batchSize: number | null;
  lr: number | null;
}

/**
 * Reads an official attentive-probe checkpoint as `evals/video_classification_frozen/eval.py` saves it
 * (`classifier`, `opt` with the two groups of its `init_opt`, `epoch`, …; or V-JEPA 2's `classifiers` and
 * `opt` lists, of which the first) into `probe`: the weights by their official names (`module.` stripped),
 * and the AdamW moments mapped to them by name (see `matchOfficialGroups`), so `trainProbe` with
 * `optimizerState` and `startEpoch` continues the official run.
 *
 * @param path - the `.pth.tar` / `.pt` file.
 * @param probe - a probe of the file's sizes (its variables are overwritten).
 * @throws CheckpointError for a file without a classifier; DataError for groups that do not fit the probe.
 */
export function readOfficialProbeRun(path: string, probe: Module): OfficialProbeRun {
  return withTorchFile(path, (_file, root) => {
    const list = root.get('classifiers');
    const classifier = Array.isArray(list) ? list[0] : root.get('classifier');
    if (!(classifier instanceof Map)) fail(`${path}: classifier`, 'a state dict (or a list `classifiers` of them)', classifier ?? 'none', undefined, CheckpointError);
    probe.loadStateDict(hostStateDict(classifier, `${path}: classifier`), { source: `${path} (classifier)` });
    const opts = root.get('opt');
    const opt = Array.isArray(opts) ? opts[0] : opts;
    const optimizer = opt instanceof Map ? fromOfficialOptimizer(opt, officialLayout({ [PROBE]: probe }), path) : undefined;
    return { optimizer, epoch: numberOrNull(root.get('epoch')) ?? 0, batchSize: numberOrNull(root.get('batch_size')), lr: numberOrNull(root.get('lr')) };
  });
}

/** What {@link writeOfficialProbeRun} writes besides the weights and moments. */
export interface OfficialProbeRunValues {
  /** Epochs done. */
  epoch: number;
  /** Per-device batch size of the run. */
  batchSize: number;
  /** The reference learning rate of the run's config (what eval.py saves). */
  lr: number;
  /** Weight decay of groups the state does not name (default 0.01, the released configs'). */
  weightDecay?: number;
}

/**
 * Writes `probe` and its AdamW state as eval.py's `save_checkpoint` does: `classifier` (keys with DDP's
 * `module.` prefix), `opt` in the two official groups (decayed, then biases and 1-D tensors with
 * `WD_exclude`), `scaler` None, `epoch`, `batch_size`, `world_size` 1, `lr` — so the official
 * `load_checkpoint` of the frozen evaluation resumes it with our moments.
 *
 * @param path - the `.pth.tar` to write.
 * @param probe - the probe (official key names).
 * @param optimizer - its state, e.g. `trainProbe(...).optimizer`; undefined for a fresh optimizer.
 */
export function writeOfficialProbeRun(path: string, probe: Module, optimizer: AdamWState | undefined, values: OfficialProbeRunValues): void {
  for (const key of ['epoch', 'batchSize'] as const) {
    if (!Number.isInteger(values[key]) || values[key] < 0) fail(`values.${key}`, 'a non-negative integer', values[key]);
  }
  if (!(values.lr >= 0)) fail('values.lr', 'a non-negative number', values.lr);
  const classifier = new PyOrderedDict<string, TensorValue>();
  for (const [key, variable] of probe.stateDict()) {
    classifier.set(`module.${key}`, { dtype: 'F32', shape: [...variable.shape], data: Float32Array.from(variable.dataSync() as Float32Array) });
  }
  const opt = toOfficialOptimizer(officialLayout({ [PROBE]: probe }), optimizer, { lr: values.lr, weightDecay: values.weightDecay ?? 0.01 });
  saveTorchFile(path, {
    classifier,
    opt,
    scaler: null,
    epoch: values.epoch,
    batch_size: values.batchSize,
    world_size: 1,
    lr: new PyFloat(values.lr),
  });
}
