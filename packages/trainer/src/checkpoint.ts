import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  fail,
  readSafetensorsSync,
  syncDirectory,
  writeFileAtomicSync,
  writeSafetensorsSync,
  type Module,
  type SafeTensorInput,
} from '@vjepa/core';
import type { AdamWState } from '@vjepa/optim';

/** The modules saved in a checkpoint, by file name (official state-dict keys inside). */
export type CheckpointModules = Record<string, Module>;

/** What `state.json` of a checkpoint holds besides the weights: small JSON-able state. */
export interface CheckpointState {
  /** Steps completed. */
  step: number;
  /** Anything else to restore (schedules, random streams, data position, config). */
  [key: string]: unknown;
}

/** A checkpoint read back. */
export interface LoadedCheckpoint {
  dir: string;
  state: CheckpointState;
  /** Optimiser state (moments included), when the checkpoint has one. */
  optimizer?: AdamWState;
}

const LATEST = 'latest.json';
const FORMAT = 'vjepa-ts-checkpoint-1';

function stepDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

function moduleTensors(module: Module): Record<string, SafeTensorInput> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [key, variable] of module.stateDict()) {
    out[key] = { dtype: 'F32', shape: variable.shape, data: Float32Array.from(variable.dataSync() as Float32Array) };
  }
  return out;
}

function optimizerTensors(state: AdamWState): Record<string, SafeTensorInput> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [key, slot] of Object.entries(state.params)) {
    out[`${key}/exp_avg`] = { dtype: 'F32', shape: slot.expAvg.shape, data: slot.expAvg.data as Float32Array };
    out[`${key}/exp_avg_sq`] = { dtype: 'F32', shape: slot.expAvgSq.shape, data: slot.expAvgSq.data as Float32Array };
  }
  return out;
}

function writeJsonDurably(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Keep this many newest checkpoints and delete older ones (default 2). */
  keep?: number;
  /** Test hook: called after each file is written, before the checkpoint is committed. */
  afterFile?: (file: string) => void;
}

/**
 * Writes a checkpoint atomically under `root`: every file goes to a temporary directory (each fsynced),
 * the directory is renamed to `step-NNNNNNNN`, and only then does `latest.json` (itself written
 * atomically) point at it. A process killed at any moment leaves `latest.json` naming the previous,
 * complete checkpoint. Weights are safetensors with official key names (`encoder.safetensors`,
 * `predictor.safetensors`, `target_encoder.safetensors`); optimiser moments go to `optimizer.safetensors`.
 */
export function saveCheckpoint(
  root: string,
  modules: CheckpointModules,
  state: CheckpointState,
  optimizer?: AdamWState,
  options: SaveCheckpointOptions = {},
): string {
  if (!Number.isInteger(state.step) || state.step < 0) fail('state.step', 'a non-negative integer', state.step);
  mkdirSync(root, { recursive: true });
  const name = stepDirName(state.step);
  const staging = join(root, `.${name}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const write = (file: string, action: () => void) => {
    action();
    options.afterFile?.(file);
  };
  for (const [file, module] of Object.entries(modules)) {
    write(`${file}.safetensors`, () => writeSafetensorsSync(join(staging, `${file}.safetensors`), moduleTensors(module), { format: FORMAT }));
  }
  let optimizerMeta: object | undefined;
  if (optimizer) {
    write('optimizer.safetensors', () => writeSafetensorsSync(join(staging, 'optimizer.safetensors'), optimizerTensors(optimizer)));
    const steps = Object.fromEntries(Object.entries(optimizer.params).map(([key, slot]) => [key, slot.step]));
    optimizerMeta = { stepCount: optimizer.stepCount, groups: optimizer.groups, steps };
  }
  write('state.json', () => writeJsonDurably(join(staging, 'state.json'), { format: FORMAT, ...state, optimizer: optimizerMeta }));
  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(staging, final);
  syncDirectory(root);
  writeJsonDurably(join(root, LATEST), { step: state.step, dir: name });
  prune(root, options.keep ?? 2);
  return final;
}

function prune(root: string, keep: number): void {
  const dirs = readdirSync(root).filter((d) => /^step-\d{8}$/.test(d)).sort();
  for (const old of dirs.slice(0, Math.max(0, dirs.length - keep))) rmSync(join(root, old), { recursive: true, force: true });
}

/** The directory `latest.json` points at, or null when `root` has no committed checkpoint. */
export function latestCheckpointDir(root: string): string | null {
  const pointer = join(root, LATEST);
  if (!existsSync(pointer)) return null;
  const { dir } = JSON.parse(readFileSync(pointer, 'utf8')) as { dir: string };
  return join(root, dir);
}

/**
 * The checkpoint directory `path` names: a checkpoint directory itself (it has `state.json`), a checkpoint
 * root (its `latest.json`), or a training output folder (its `checkpoints/latest.json`); null when none.
 */
export function resolveCheckpointDir(path: string): string | null {
  if (existsSync(join(path, 'state.json'))) return path;
  return latestCheckpointDir(path) ?? latestCheckpointDir(join(path, 'checkpoints'));
}

/**
 * Loads a checkpoint into `modules`, by file name; `root` is anything `resolveCheckpointDir` accepts.
 * Throws when there is none or a file is missing or does not fit the modules.
 */
export function loadCheckpoint(root: string, modules: CheckpointModules): LoadedCheckpoint {
  const dir = resolveCheckpointDir(root);
  if (!dir) fail('checkpoint', `a directory with ${LATEST} or state.json`, root, 'Train first, or point --resume at a checkpoint directory');
  const stateFile = join(dir, 'state.json');
  if (!existsSync(stateFile)) fail('checkpoint', `a state.json in ${dir}`, 'none');
  const { format, optimizer: optimizerMeta, ...state } = JSON.parse(readFileSync(stateFile, 'utf8')) as CheckpointState & {
    format?: string;
    optimizer?: Omit<AdamWState, 'params'> & { steps: Record<string, number> };
  };
  if (format !== FORMAT) fail(`${stateFile}: format`, FORMAT, format);
  for (const [file, module] of Object.entries(modules)) {
    const path = join(dir, `${file}.safetensors`);
    module.loadStateDict(readSafetensorsSync(path).tensors, { source: path });
  }
  let optimizer: AdamWState | undefined;
  if (optimizerMeta) {
    const moments = readSafetensorsSync(join(dir, 'optimizer.safetensors')).tensors;
    const params: AdamWState['params'] = {};
    for (const [key, step] of Object.entries(optimizerMeta.steps)) {
      const expAvg = moments.get(`${key}/exp_avg`);
      const expAvgSq = moments.get(`${key}/exp_avg_sq`);
      if (!expAvg || !expAvgSq) fail(`${dir}/optimizer.safetensors`, `moments for '${key}'`, 'none');
      params[key] = { step, expAvg, expAvgSq };
    }
    optimizer = { stepCount: optimizerMeta.stepCount, groups: optimizerMeta.groups, params };
  }
  return { dir, state: state as CheckpointState, optimizer };
}
