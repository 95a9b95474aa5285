import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkKeys, closestKey, fail, UsageError } from '@vjepa/core';
import { PRETRAINING_MASK_GENERATORS, type MaskGeneratorConfig } from '@vjepa/masking';
import { VIT_SIZES, vitConfig, type ResolvedVitConfig, type VitSize } from '@vjepa/vit';
import { officialRecipe, type TrainingRecipe } from '@vjepa/trainer';

/** Everything a `vjepa train` run is made of; saved in every checkpoint, read back by `probe` and `embed`. */
export interface RunConfig {
  data: { spec: string; crop: number; frames: number; frameStep: number; batchSize: number };
  model: { size: VitSize; encoder: ResolvedVitConfig; predictor: { dim: number; depth: number } };
  /** What the predictor regresses: V-JEPA's `features`, or the `pixels` baseline. */
  target: 'features' | 'pixels';
  mask: MaskGeneratorConfig[];
  optimization: TrainingRecipe & { steps: number };
  seed: number;
  /** Name of the preset the run started from, if any. */
  preset?: string;
}

/** The flags of `vjepa train` (strings as commander gives them). */
export interface TrainFlags {
  data?: string;
  config?: string;
  model?: string;
  crop?: string;
  frames?: string;
  frameStep?: string;
  steps?: string;
  batchSize?: string;
  depth?: string;
  predDim?: string;
  predDepth?: string;
  seed?: string;
  target?: string;
  /** `sigreg`, `vicreg` or `none`: a regulariser on the context tokens (see `--reg-weight`). */
  regularizer?: string;
  /** λ of the regulariser term `loss + λ · R` (default 0.05 when `--regularizer` is set). */
  regWeight?: string;
  /** Random directions per step of SIGReg (default 256). */
  regDirections?: string;
  /** Keep the target encoder at its initial weights (EMA momentum 1). */
  frozenTeacher?: boolean;
  /** α in [0, 1] of the loss weighted toward tokens whose pixels change. */
  changeWeighting?: string;
  /** `official` (the two multiblock generators) or `future` (context = first half, target ≈ 90 % of the second). */
  masks?: string;
}

/** Laptop defaults: a ViT-tiny-width encoder on 16 × 64 × 64 clips with a small predictor. */
export const TRAIN_DEFAULTS = {
  data: 'synthetic',
  model: 'tiny' as VitSize,
  crop: 64,
  frames: 16,
  frameStep: 4,
  steps: 300,
  batchSize: 8,
  predDim: 96,
  predDepth: 4,
  seed: 0,
};

function integer(name: string, value: unknown, min = 1): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail(name, `an integer ≥ ${min}`, value);
  return n;
}

function finite(name: string, value: unknown, min: number, exclusive = false): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || (exclusive && n === min)) {
    fail(name, `a finite number ${exclusive ? '>' : '≥'} ${min}`, value);
  }
  return n;
}

function pair(name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number')) {
    fail(name, 'a list of two numbers', value);
  }
  return [value[0], value[1]];
}

type Official = Record<string, Record<string, unknown> | unknown[] | undefined>;

/**
 * Every key of the official pretraining config (`app/vjepa/train.py` of facebookresearch/jepa), by
 * section. A config may hold all of them (the released YAMLs do); those this port does not use (the
 * cluster layout, logging, dtype, …) are accepted and have no effect. Any other key is refused.
 */
export const OFFICIAL_CONFIG_KEYS = {
  '': ['app', 'nodes', 'tasks_per_node', 'data', 'data_aug', 'logging', 'loss', 'mask', 'meta', 'model', 'optimization'],
  data: [
    'dataset_type', 'datasets', 'datasets_weights', 'decode_one_clip', 'batch_size', 'num_clips', 'num_frames', 'tubelet_size',
    'sampling_rate', 'crop_size', 'patch_size', 'pin_mem', 'num_workers', 'filter_short_videos', 'clip_duration',
  ],
  data_aug: ['auto_augment', 'motion_shift', 'random_resize_aspect_ratio', 'random_resize_scale', 'reprob'],
  logging: ['folder', 'write_tag'],
  loss: ['loss_exp', 'reg_coeff'],
  mask: ['aspect_ratio', 'num_blocks', 'spatial_scale', 'temporal_scale', 'max_temporal_keep', 'max_keep', 'ratio'],
  meta: ['load_checkpoint', 'read_checkpoint', 'seed', 'eval_freq', 'use_sdpa', 'dtype'],
  model: ['model_name', 'pred_depth', 'pred_embed_dim', 'uniform_power', 'use_mask_tokens', 'zero_init_mask_tokens'],
  optimization: [
    'ipe', 'ipe_scale', 'clip_grad', 'weight_decay', 'final_weight_decay', 'epochs', 'warmup', 'start_lr', 'lr', 'final_lr', 'ema',
    'betas', 'eps',
  ],
} as const;

/** Names people write for official keys, so that a typo of them is pointed at the official one. */
const CONFIG_ALIASES: Record<string, Record<string, string>> = {
  optimization: { learning_rate: 'lr', base_lr: 'lr', min_lr: 'final_lr', wd: 'weight_decay', warmup_epochs: 'warmup', momentum: 'ema' },
  data: { frames: 'num_frames', crop: 'crop_size', image_size: 'crop_size', batch: 'batch_size', frame_step: 'sampling_rate' },
  model: { name: 'model_name', model: 'model_name' },
  meta: { random_seed: 'seed' },
};

/** Refuses unknown sections and keys of an official config, naming `file`, the key, the known keys and a likely fix. */
export function checkOfficialConfig(file: string, config: Record<string, unknown>): void {
  const sections: readonly string[] = OFFICIAL_CONFIG_KEYS[''];
  for (const key of Object.keys(config)) {
    if (sections.includes(key)) continue;
    const guess = closestKey(key, sections);
    throw new UsageError(
      `--config ${file}: ${key}: expected a section of the official config (one of ${sections.join(', ')}), received an unknown section ${JSON.stringify(key)}. ` +
        (guess ? `Did you mean "${guess}"?` : 'Remove it or fix its name.'),
    );
  }
  for (const [section, keys] of Object.entries(OFFICIAL_CONFIG_KEYS)) {
    if (section === '' || config[section] === undefined || config[section] === null) continue;
    const where = `--config ${file}: ${section}`;
    if (section === 'mask') {
      if (!Array.isArray(config.mask)) fail(where, 'a list of mask generator entries', config.mask);
      config.mask.forEach((entry, index) => checkKeys(`${where}[${index}]`, entry, keys));
      continue;
    }
    checkKeys(where, config[section], keys, CONFIG_ALIASES[section]);
  }
}

/** Reads a JSON or YAML config with the official keys (`data.batch_size`, `optimization.lr`, `mask: [...]`, …); unknown keys are refused. */
export function readOfficialConfig(file: string): Official {
  if (!existsSync(file) || !statSync(file).isFile()) fail('--config', 'an existing JSON or YAML file', file);
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    fail(`--config ${file}`, `valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}`, (error as Error).message.split('\n')[0]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail(`--config ${file}`, 'a mapping of sections', parsed);
  checkOfficialConfig(file, parsed as Record<string, unknown>);
  return parsed as Official;
}

/** The official mask entry (`spatial_scale`, `temporal_scale`, `aspect_ratio`, `num_blocks`, …) as a generator config. */
export function maskFromOfficial(entry: Record<string, unknown>, index: number): MaskGeneratorConfig {
  const where = `mask[${index}]`;
  if (entry.ratio !== undefined) return { type: 'tube', ratio: finite(`${where}.ratio`, entry.ratio, 0, true) };
  return {
    type: 'multiblock',
    spatialScale: entry.spatial_scale === undefined ? undefined : pair(`${where}.spatial_scale`, entry.spatial_scale),
    temporalScale: entry.temporal_scale === undefined ? undefined : pair(`${where}.temporal_scale`, entry.temporal_scale),
    aspectRatio: entry.aspect_ratio === undefined ? undefined : pair(`${where}.aspect_ratio`, entry.aspect_ratio),
    numBlocks: entry.num_blocks === undefined ? undefined : integer(`${where}.num_blocks`, entry.num_blocks),
    maxTemporalKeep: entry.max_temporal_keep === undefined ? undefined : finite(`${where}.max_temporal_keep`, entry.max_temporal_keep, 0, true),
    maxKeep: entry.max_keep === undefined || entry.max_keep === null ? null : integer(`${where}.max_keep`, entry.max_keep),
  };
}

/** `--regularizer`, `--reg-weight`, `--reg-directions`, `--frozen-teacher`, `--change-weighting` over a recipe. */
function trainerOptionFlags(flags: TrainFlags, recipe: TrainingRecipe): TrainingRecipe {
  let out = recipe;
  const kind = flags.regularizer;
  if (kind !== undefined && kind !== 'sigreg' && kind !== 'vicreg' && kind !== 'none') fail('regularizer', "'sigreg', 'vicreg' or 'none'", kind);
  if ((flags.regWeight !== undefined || flags.regDirections !== undefined) && (kind === undefined || kind === 'none') && !recipe.regularizer) {
    fail('reg-weight', 'a --regularizer (sigreg or vicreg) to weigh', flags.regWeight ?? flags.regDirections);
  }
  if (kind === 'none') out = { ...out, regularizer: null };
  else if (kind !== undefined || flags.regWeight !== undefined || flags.regDirections !== undefined) {
    const previous = out.regularizer ?? null;
    const chosen = (kind ?? previous?.kind) as 'sigreg' | 'vicreg';
    const weight = flags.regWeight === undefined ? (previous?.kind === chosen ? previous.weight : 0.05) : Number(flags.regWeight);
    if (!(Number.isFinite(weight) && weight >= 0)) fail('reg-weight', 'a finite number ≥ 0', flags.regWeight);
    if (chosen === 'sigreg') {
      const directions = flags.regDirections === undefined ? (previous?.kind === 'sigreg' ? previous.directions : undefined) : integer('reg-directions', flags.regDirections);
      const seed = previous?.kind === 'sigreg' ? previous.seed : undefined;
      out = { ...out, regularizer: { kind: 'sigreg', weight, ...(directions === undefined ? {} : { directions }), ...(seed === undefined ? {} : { seed }) } };
    } else {
      if (flags.regDirections !== undefined) fail('reg-directions', '--regularizer sigreg', flags.regDirections);
      out = { ...out, regularizer: { kind: 'vicreg', weight } };
    }
  }
  if (flags.frozenTeacher) out = { ...out, frozenTeacher: true };
  if (flags.changeWeighting !== undefined) {
    const alpha = Number(flags.changeWeighting);
    if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) fail('change-weighting', 'a number in [0, 1]', flags.changeWeighting);
    out = { ...out, changeWeighting: alpha };
  }
  return out;
}

/** SIGReg's direction stream follows the run's seed unless a config set one. */
function withRegularizerSeed(recipe: TrainingRecipe, seed: number): TrainingRecipe {
  const r = recipe.regularizer;
  return r?.kind === 'sigreg' && r.seed === undefined ? { ...recipe, regularizer: { ...r, seed } } : recipe;
}

function sizeFromName(name: string): VitSize {
  const size = name.replace(/^vit_/, '') as VitSize;
  if (!(size in VIT_SIZES)) fail('model', `one of ${Object.keys(VIT_SIZES).join(', ')} (or vit_NAME)`, name);
  return size;
}

/**
 * The run config from the defaults, then the config file (official keys), then the flags — later wins.
 * Everything is checked here, before any model is built.
 */
export function resolveRunConfig(flags: TrainFlags, base: Partial<RunConfig> = {}): RunConfig {
  const file = flags.config ? readOfficialConfig(flags.config) : {};
  const data = (file.data ?? {}) as Record<string, unknown>;
  const model = (file.model ?? {}) as Record<string, unknown>;
  const opt = (file.optimization ?? {}) as Record<string, unknown>;
  const meta = (file.meta ?? {}) as Record<string, unknown>;
  const pick = (flag: unknown, fromFile: unknown, fromBase: unknown, fallback: unknown): unknown =>
    flag ?? fromFile ?? fromBase ?? fallback;

  const size = sizeFromName(String(pick(flags.model, model.model_name, base.model?.size, TRAIN_DEFAULTS.model)));
  const crop = integer('crop', pick(flags.crop, data.crop_size, base.data?.crop, TRAIN_DEFAULTS.crop));
  const frames = integer('frames', pick(flags.frames, data.num_frames, base.data?.frames, TRAIN_DEFAULTS.frames));
  const patch = integer('patch_size', data.patch_size ?? base.model?.encoder.patch ?? vitConfig(size).patch);
  const tubelet = integer('tubelet_size', data.tubelet_size ?? base.model?.encoder.tubelet ?? 2);
  if (crop % patch !== 0) fail('crop', `a multiple of patch_size (${patch})`, crop);
  if (frames % tubelet !== 0) fail('frames', `a multiple of tubelet_size (${tubelet})`, frames);
  const depth = flags.depth ?? base.model?.encoder.depth;
  // A resumed run (or a converted official checkpoint) keeps its own widths unless a flag or file names a size.
  const sameModel = flags.model === undefined && model.model_name === undefined && base.model?.encoder !== undefined;
  const widths = sameModel ? { dim: base.model!.encoder.dim, heads: base.model!.encoder.heads, mlpRatio: base.model!.encoder.mlpRatio } : {};
  const encoder = vitConfig(size, {
    ...widths,
    frames,
    imageSize: crop,
    patch,
    tubelet,
    uniformPower: (model.uniform_power as boolean | undefined) ?? base.model?.encoder.uniformPower ?? true,
    ...(depth === undefined ? {} : { depth: integer('depth', depth) }),
  });
  if (opt.ipe !== undefined) integer('optimization.ipe', opt.ipe);
  if (opt.epochs !== undefined) integer('optimization.epochs', opt.epochs);
  if (opt.warmup !== undefined) finite('optimization.warmup', opt.warmup, 0);
  if (opt.ipe_scale !== undefined) finite('optimization.ipe_scale', opt.ipe_scale, 0, true);
  const steps = integer('steps', flags.steps ?? (opt.ipe && opt.epochs ? Number(opt.ipe) * Number(opt.epochs) : undefined) ?? base.optimization?.steps ?? TRAIN_DEFAULTS.steps);
  let recipe: TrainingRecipe = { ...officialRecipe(steps), ...(base.optimization ?? {}) };
  if (base.optimization && base.optimization.steps !== steps) {
    // A resumed run asked for another length: its schedules are re-sized to it, in the official proportions.
    const { warmupSteps, scheduleSteps, clipFromStep } = officialRecipe(steps);
    recipe = { ...recipe, warmupSteps, scheduleSteps, clipFromStep };
  }
  if (opt.ipe && opt.epochs) {
    const ipe = Number(opt.ipe);
    const epochs = Number(opt.epochs);
    const warmup = Number(opt.warmup ?? 40);
    recipe = { ...recipe, warmupSteps: Math.trunc(warmup * ipe), scheduleSteps: Math.trunc(Number(opt.ipe_scale ?? 1) * epochs * ipe), clipFromStep: Math.trunc((warmup + 1) * ipe) };
  }
  for (const [key, field] of [['start_lr', 'startLr'], ['lr', 'lr'], ['final_lr', 'finalLr'], ['weight_decay', 'weightDecay'], ['final_weight_decay', 'finalWeightDecay']] as const) {
    if (opt[key] !== undefined) recipe = { ...recipe, [field]: finite(`optimization.${key}`, opt[key], 0) };
  }
  const loss = (file.loss ?? {}) as Record<string, unknown>;
  if (loss.loss_exp !== undefined) {
    const lossExp = Number(loss.loss_exp);
    if (!(Number.isFinite(lossExp) && lossExp >= 1)) fail('loss.loss_exp', 'a finite number ≥ 1', loss.loss_exp);
    recipe = { ...recipe, lossExp };
  }
  if (opt.ema !== undefined) recipe = { ...recipe, ema: pair('optimization.ema', opt.ema) };
  if (opt.clip_grad !== undefined) recipe = { ...recipe, clipGrad: opt.clip_grad === null ? null : finite('optimization.clip_grad', opt.clip_grad, 0, true) };

  const seed = integer('seed', pick(flags.seed, meta.seed, base.seed, TRAIN_DEFAULTS.seed), 0);
  const target = String(flags.target ?? base.target ?? 'features');
  if (target !== 'features' && target !== 'pixels') fail('target', "'features' or 'pixels'", target);
  recipe = trainerOptionFlags(flags, recipe);
  if (flags.masks !== undefined && flags.masks !== 'official' && flags.masks !== 'future') fail('masks', "'official' or 'future'", flags.masks);
  const mask =
    flags.masks === 'future'
      ? [{ type: 'future' as const }]
      : flags.masks === 'official'
        ? [...PRETRAINING_MASK_GENERATORS]
        : Array.isArray(file.mask)
          ? (file.mask as Record<string, unknown>[]).map(maskFromOfficial)
          : base.mask ?? [...PRETRAINING_MASK_GENERATORS];
  const predDim = integer('pred-dim', pick(flags.predDim, model.pred_embed_dim, base.model?.predictor.dim, TRAIN_DEFAULTS.predDim));
  const spec = String(pick(flags.data, undefined, base.data?.spec, TRAIN_DEFAULTS.data));
  if (spec !== 'synthetic' && !spec.startsWith('synthetic:') && !existsSync(spec)) {
    fail('--data', "'synthetic', 'synthetic:NAME', or an existing CSV index or folder of videos", spec);
  }
  return {
    data: {
      spec,
      crop,
      frames,
      frameStep: integer('frame-step', pick(flags.frameStep, data.sampling_rate, base.data?.frameStep, TRAIN_DEFAULTS.frameStep)),
      batchSize: integer('batch-size', pick(flags.batchSize, data.batch_size, base.data?.batchSize, TRAIN_DEFAULTS.batchSize)),
    },
    model: {
      size,
      encoder,
      predictor: {
        dim: predDim,
        depth: integer('pred-depth', pick(flags.predDepth, model.pred_depth, base.model?.predictor.depth, TRAIN_DEFAULTS.predDepth)),
      },
    },
    target,
    mask,
    optimization: { ...withRegularizerSeed(recipe, seed), target, steps },
    seed,
    preset: base.preset,
  };
}
