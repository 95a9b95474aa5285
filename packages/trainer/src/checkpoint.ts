import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkKeys, optionKeys, CheckpointError, fail, readSafetensorsSync, serializeSafetensors, syncDirectory, writeFileAtomicSync, type Module, type SafeTensorInput } from '@vjepa/core';
import type { AdamWState } from '@vjepa/optim';
import type { RunConfig } from './run-config';

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

/** Size and SHA-256 of one tensor file, as recorded in `state.json` under `files`. */
export interface CheckpointFileSum {
  bytes: number;
  sha256: string;
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

/** The state with `checksum`: the SHA-256 of its own JSON without that field, so a damaged state.json is detected. */
function withChecksum(state: Record<string, unknown>): Record<string, unknown> {
  return { ...state, checksum: sha256(new TextEncoder().encode(JSON.stringify(state))) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of a file, read in chunks (tensor files can pass the 2 GB `readFileSync` limit). */
function sha256File(path: string): string {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(1 << 24);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Keep this many newest checkpoints and delete older ones (default 3); the newest good one is never deleted. */
  keep?: number;
  /** Test hook: called after each file is written, before the checkpoint is committed. */
  afterFile?: (file: string) => void;
}

/** The default of {@link SaveCheckpointOptions.keep}. */
export const DEFAULT_KEEP_CHECKPOINTS = 3;

/**
 * Writes a checkpoint atomically under `root`: every file goes to a temporary directory (each fsynced),
 * the directory is renamed to `step-NNNNNNNN`, and only then does `latest.json` (itself written
 * atomically) point at it. A process killed at any moment leaves `latest.json` naming the previous,
 * complete checkpoint. Weights are safetensors with official key names (`encoder.safetensors`,
 * `predictor.safetensors`, `target_encoder.safetensors`); optimiser moments go to `optimizer.safetensors`.
 * `state.json` records the size and SHA-256 of every tensor file (`files`) and its own `checksum`, which {@link verifyCheckpoint}
 * checks on resume. A write that fails (a full disk: ENOSPC, EIO) removes its temporary directory and
 * throws; the previous checkpoint and `latest.json` are untouched.
 */
export function saveCheckpoint(
  root: string,
  modules: CheckpointModules,
  state: CheckpointState,
  optimizer?: AdamWState,
  options: SaveCheckpointOptions = {},
): string {
  checkKeys('options', options, optionKeys<SaveCheckpointOptions>({ keep: true, afterFile: true }));
  if (!Number.isInteger(state.step) || state.step < 0) fail('state.step', 'a non-negative integer', state.step);
  const keep = options.keep ?? DEFAULT_KEEP_CHECKPOINTS;
  if (!Number.isInteger(keep) || keep < 1) fail('options.keep', 'an integer ≥ 1', keep);
  mkdirSync(root, { recursive: true });
  removeStaleStaging(root);
  const name = stepDirName(state.step);
  const staging = join(root, `.${name}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const files: Record<string, CheckpointFileSum> = {};
  const writeTensors = (file: string, tensors: Record<string, SafeTensorInput>, metadata?: Record<string, string>) => {
    const bytes = serializeSafetensors(tensors, metadata);
    writeFileAtomicSync(join(staging, file), bytes);
    files[file] = { bytes: bytes.length, sha256: sha256(bytes) };
    options.afterFile?.(file);
  };
  try {
    for (const [file, module] of Object.entries(modules)) writeTensors(`${file}.safetensors`, moduleTensors(module), { format: FORMAT });
    let optimizerMeta: object | undefined;
    if (optimizer) {
      writeTensors('optimizer.safetensors', optimizerTensors(optimizer));
      const steps = Object.fromEntries(Object.entries(optimizer.params).map(([key, slot]) => [key, slot.step]));
      optimizerMeta = { stepCount: optimizer.stepCount, groups: optimizer.groups, steps };
    }
    // What a caller passes back from an older state.json (its format, files and checksum) is replaced.
    const { format: _format, files: _files, checksum: _checksum, optimizer: _optimizer, ...own } = state;
    writeJsonDurably(join(staging, 'state.json'), withChecksum({ format: FORMAT, ...own, optimizer: optimizerMeta, files }));
    options.afterFile?.('state.json');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(staging, final);
  syncDirectory(root);
  writeJsonDurably(join(root, LATEST), { step: state.step, dir: name });
  prune(root, state.step, keep);
  return final;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary directories of writers that died mid-write (`.step-NNNNNNNN.PID.tmp`). */
function removeStaleStaging(root: string): void {
  for (const entry of readdirSync(root)) {
    const match = /^\.step-\d{8}\.(\d+)\.tmp$/.exec(entry);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) rmSync(join(root, entry), { recursive: true, force: true });
  }
}

function stepDirs(root: string): string[] {
  return readdirSync(root).filter((d) => /^step-\d{8}$/.test(d)).sort();
}

/**
 * Keeps the checkpoint just written and the `keep − 1` newest before it; deletes older ones. Nothing is
 * deleted unless the one just written verifies, so the only good checkpoint is never removed. Checkpoints
 * of later steps (left by a run that was resumed from an earlier one) are not counted and not deleted:
 * the run overwrites them when it gets there.
 */
function prune(root: string, written: number, keep: number): void {
  const name = stepDirName(written);
  const older = stepDirs(root).filter((d) => d < name);
  const doomed = older.slice(0, Math.max(0, older.length - (keep - 1)));
  if (doomed.length === 0 || verifyCheckpoint(join(root, name)).length > 0) return;
  for (const old of doomed) rmSync(join(root, old), { recursive: true, force: true });
}

/**
 * Checks a checkpoint directory without loading it: `state.json` parses and has the format, and every
 * tensor file it records exists with the recorded size and SHA-256 (checkpoints written before checksums
 * were recorded: every `.safetensors` file parses). Returns the problems found, empty when it is good.
 */
export function verifyCheckpoint(dir: string): string[] {
  const stateFile = join(dir, 'state.json');
  let state: { format?: unknown; files?: Record<string, CheckpointFileSum> };
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch (error) {
    return [`state.json: ${existsSync(stateFile) ? `unreadable (${(error as Error).message})` : 'missing'}`];
  }
  if (state === null || typeof state !== 'object') return ['state.json: not an object'];
  if (state.format !== FORMAT) return [`state.json: format ${JSON.stringify(state.format)}, expected ${FORMAT}`];
  const { checksum, ...rest } = state as { checksum?: unknown };
  if (checksum !== undefined && checksum !== sha256(new TextEncoder().encode(JSON.stringify(rest)))) {
    return ['state.json: SHA-256 differs from the one recorded in it (the file is corrupted)'];
  }
  const problems: string[] = [];
  if (state.files === undefined) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.safetensors'))) {
      try {
        readSafetensorsSync(join(dir, file));
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
  for (const [file, sum] of Object.entries(state.files)) {
    const path = join(dir, file);
    if (!existsSync(path)) {
      problems.push(`${file}: missing`);
      continue;
    }
    const size = statSync(path).size;
    if (size !== sum.bytes) {
      problems.push(`${file}: ${size} bytes, expected ${sum.bytes} (truncated or overwritten)`);
      continue;
    }
    if (sha256File(path) !== sum.sha256) problems.push(`${file}: SHA-256 differs from the one recorded (the file is corrupted)`);
  }
  return problems;
}

/** The directory `latest.json` points at, or null when `root` has no committed checkpoint (or `latest.json` is unreadable). */
export function latestCheckpointDir(root: string): string | null {
  const pointer = join(root, LATEST);
  if (!existsSync(pointer)) return null;
  try {
    const { dir } = JSON.parse(readFileSync(pointer, 'utf8')) as { dir: unknown };
    return typeof dir === 'string' && /^step-\d{8}$/.test(dir) ? join(root, dir) : null;
  } catch {
    return null;
  }
}

/** Thrown when a checkpoint root has checkpoints but none of them is intact. */
export class NoGoodCheckpointError extends CheckpointError {
  constructor(
    readonly root: string,
    readonly problems: Record<string, string[]>,
  ) {
    super(
      `checkpoint: expected an intact checkpoint in ${root}, received none: ` +
        Object.entries(problems)
          .map(([dir, list]) => `${dir} (${list.join('; ')})`)
          .join(', ') +
        '. Start a new run (another --out) or restore the files',
    );
  }
}

/**
 * The newest intact checkpoint under a checkpoint root: the one `latest.json` names when it verifies,
 * otherwise the newest `step-*` directory that does. Each damaged one is reported through `onWarning`
 * (with what is wrong and which one is used instead). Null when the root has no checkpoint at all;
 * throws {@link NoGoodCheckpointError} when it has some but none is intact.
 */
export function latestGoodCheckpointDir(root: string, onWarning: (message: string) => void = () => undefined): string | null {
  if (!existsSync(root)) return null;
  const latest = latestCheckpointDir(root);
  const candidates = [...(latest ? [latest] : []), ...stepDirs(root).reverse().map((d) => join(root, d))].filter(
    (dir, index, all) => all.indexOf(dir) === index && existsSync(dir),
  );
  if (candidates.length === 0) return null;
  const damaged: Record<string, string[]> = {};
  for (const dir of candidates) {
    const problems = verifyCheckpoint(dir);
    if (problems.length === 0) {
      for (const [bad, list] of Object.entries(damaged)) {
        onWarning(`checkpoint ${bad} is damaged (${list.join('; ')}); using ${dir} instead`);
      }
      return dir;
    }
    damaged[dir] = problems;
  }
  throw new NoGoodCheckpointError(root, damaged);
}

/**
 * The checkpoint directory `path` names: a checkpoint directory itself (it has `state.json`), a checkpoint
 * root (its newest intact checkpoint), or a training output folder (the same in its `checkpoints/`); null
 * when none. Damaged checkpoints are skipped with a warning (see {@link latestGoodCheckpointDir}).
 */
export function resolveCheckpointDir(path: string, onWarning?: (message: string) => void): string | null {
  if (existsSync(join(path, 'state.json'))) return path;
  return latestGoodCheckpointDir(path, onWarning) ?? latestGoodCheckpointDir(join(path, 'checkpoints'), onWarning);
}

/** Options of `loadCheckpoint` and `readRunState`. */
export interface LoadCheckpointOptions {
  /** Told about each damaged checkpoint skipped for an older intact one (default: silent). */
  onWarning?: (message: string) => void;
}

/** What `state.json` keeps of the optimiser beside `optimizer.safetensors` (which holds the moments). */
export interface SavedOptimizerState extends Omit<AdamWState, 'params'> {
  /** Steps taken by each parameter, by key. */
  steps: Record<string, number>;
}

/** `state.json` of a checkpoint as `saveCheckpoint` writes it; `runTrain` saves the run's `config` in it. */
export interface RunState extends CheckpointState {
  format: string;
  /** Size and SHA-256 of every tensor file (absent from checkpoints written before they were recorded). */
  files?: Record<string, CheckpointFileSum>;
  /** SHA-256 of the state's own JSON without this field. */
  checksum?: string;
  optimizer?: SavedOptimizerState;
  /** The run configuration (absent when `runTraining` was given no `config`). */
  config?: RunConfig;
}

/**
 * Reads a run's state with its checksums: the checkpoint directory `path` names (a checkpoint directory,
 * a checkpoint root or a training output folder, as {@link resolveCheckpointDir} resolves it), verified as
 * {@link verifyCheckpoint} does, and its parsed `state.json`. The one reader of `state.json`: what needs a
 * run's config, step or stream states gets them here.
 *
 * @param path - the folder.
 * @returns the checkpoint directory and its state; null when `path` holds no checkpoint.
 * @throws when the checkpoint is damaged (a checkpoint directory named directly), or every checkpoint of a root is.
 */
export function readRunState(path: string, options: LoadCheckpointOptions = {}): { dir: string; state: RunState } | null {
  checkKeys('options', options, optionKeys<LoadCheckpointOptions>({ onWarning: true }));
  const dir = resolveCheckpointDir(path, options.onWarning);
  if (!dir) return null;
  // A checkpoint found under a root or an output folder was verified when it was chosen; one named directly is verified here.
  const problems = dir === path ? verifyCheckpoint(dir) : [];
  if (problems.length > 0) fail('checkpoint', `an intact checkpoint in ${dir}`, problems.join('; '), 'Point at an older step-* directory, or at its parent to pick the newest intact one');
  return { dir, state: JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as RunState };
}

/**
 * Loads a checkpoint into `modules`, by file name; `root` is anything `resolveCheckpointDir` accepts. The
 * checkpoint is verified first (sizes and SHA-256 of its files); from a root or output folder a damaged
 * newest checkpoint is skipped for the previous intact one. Throws when there is none, when a checkpoint
 * directory named directly is damaged, or when a file does not fit the modules.
 */
export function loadCheckpoint(root: string, modules: CheckpointModules, options: LoadCheckpointOptions = {}): LoadedCheckpoint {
  checkKeys('options', options, optionKeys<LoadCheckpointOptions>({ onWarning: true }));
  const read = readRunState(root, options);
  if (!read) fail('checkpoint', `a directory with ${LATEST} or state.json`, root, 'Train first, or point --resume at a checkpoint directory');
  const { dir } = read;
  const { format: _format, files: _files, checksum: _checksum, optimizer: optimizerMeta, ...state } = read.state;
  for (const [file, module] of Object.entries(modules)) {
    const path = join(dir, `${file}.safetensors`);
    if (!existsSync(path)) fail('checkpoint', `a file ${file}.safetensors in ${dir}`, 'none');
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
