import { existsSync } from 'node:fs';
import { fail } from '@vjepa/core';
import { PRETRAINING_MASK_GENERATORS, type MaskGeneratorConfig } from '@vjepa/masking';
import { VIT_SIZES, vitConfig, type ResolvedVitConfig, type VitSize } from '@vjepa/vit';
import { checkRopeHeads } from '@vjepa/tubelet';
import { finite, integer, pair } from './config-values';
import { maskFromOfficial, readOfficialConfig, type OfficialConfig } from './official-config';
import { VJEPA_ARCHS, officialRecipe, type TrainingRecipe, type VjepaArch } from './recipe';
import { PUBLISHED_REGULARIZER_WEIGHTS, REGULARIZER_SAMPLES, type RegularizerSamples } from './regularizers';
import { checkExpanderWidths, defaultExpanderWidths } from './expander';

/** Everything a `vjepa train` run is made of; saved in every checkpoint, read back by `probe` and `embed`. */
export interface RunConfig {
  data: { spec: string; crop: number; frames: number; frameStep: number; batchSize: number };
  /**
   * The networks. `arch` `vjepa2` trains V-JEPA 2 (RoPE, 10 mask tokens; `encoder.uniformPower` unused);
   * absent means V-JEPA 1, as in every run saved before V-JEPA 2.
   */
  model: {
    arch?: VjepaArch;
    size: VitSize;
    encoder: ResolvedVitConfig;
    /** `heads`: the predictor's own (default the encoder's), kept from a converted official file whose predictor has other heads (V-JEPA 2 ViT-L: 16 and 12). */
    predictor: { dim: number; depth: number; heads?: number };
  };
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
  /** `vjepa` (V-JEPA 1, default) or `vjepa2` (V-JEPA 2: RoPE encoder and predictor). */
  arch?: string;
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
  /** λ of the regulariser term `loss + λ · R` (default: the published weight, 1 for VICReg, 0.05/0.95 for SIGReg). */
  regWeight?: string;
  /** What the regulariser's statistics run over: `pooled` (default), `positions` or `tokens` (see `RegularizerSamples`). */
  regSamples?: string;
  /** Random directions per step of SIGReg (default 256). */
  regDirections?: string;
  /**
   * VICReg's expander MLP before the variance/covariance terms: `true` (the flag alone) for the default
   * widths (`defaultExpanderWidths`: 2·D, three times), `W` for three layers of width W, or `W1,W2,W3`.
   */
  regExpander?: string | boolean;
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

/** The widths `--reg-expander` names for an encoder of width `dim` (see {@link TrainFlags.regExpander}). */
export function expanderWidthsFlag(value: string | boolean, dim: number): number[] {
  if (value === true) return defaultExpanderWidths(dim);
  const parts = String(value).split(',');
  const widths = parts.map((part) => Number(part.trim()));
  const three = widths.length === 1 ? [widths[0], widths[0], widths[0]] : widths;
  if (!three.every((w) => Number.isInteger(w) && w >= 1) || three.length !== 3) fail('reg-expander', 'W (three layers of width W) or W1,W2,W3: positive integers', value);
  return [...checkExpanderWidths(three, 'reg-expander')];
}

/** `--regularizer`, `--reg-weight`, `--reg-directions`, `--reg-expander`, `--frozen-teacher`, `--change-weighting` over a recipe. */
function trainerOptionFlags(flags: TrainFlags, recipe: TrainingRecipe, dim: number): TrainingRecipe {
  let out = recipe;
  const kind = flags.regularizer;
  if (kind !== undefined && kind !== 'sigreg' && kind !== 'vicreg' && kind !== 'none') fail('regularizer', "'sigreg', 'vicreg' or 'none'", kind);
  if ((flags.regWeight !== undefined || flags.regDirections !== undefined || flags.regSamples !== undefined || flags.regExpander !== undefined) && (kind === undefined || kind === 'none') && !recipe.regularizer) {
    fail('reg-weight', 'a --regularizer (sigreg or vicreg) to weigh', flags.regWeight ?? flags.regDirections ?? flags.regSamples ?? flags.regExpander);
  }
  if (flags.regSamples !== undefined && !(REGULARIZER_SAMPLES as readonly string[]).includes(flags.regSamples)) fail('reg-samples', REGULARIZER_SAMPLES.join(', '), flags.regSamples);
  if (kind === 'none') out = { ...out, regularizer: null };
  else if (kind !== undefined || flags.regWeight !== undefined || flags.regDirections !== undefined || flags.regSamples !== undefined || flags.regExpander !== undefined) {
    const previous = out.regularizer ?? null;
    const chosen = (kind ?? previous?.kind) as 'sigreg' | 'vicreg';
    const weight = flags.regWeight === undefined ? (previous?.kind === chosen ? previous.weight : PUBLISHED_REGULARIZER_WEIGHTS[chosen].weight) : Number(flags.regWeight);
    const samples = (flags.regSamples ?? (previous?.kind === chosen ? previous.samples : undefined)) as RegularizerSamples | undefined;
    const withSamples = samples === undefined ? {} : { samples };
    if (!(Number.isFinite(weight) && weight >= 0)) fail('reg-weight', 'a finite number ≥ 0', flags.regWeight);
    if (chosen === 'sigreg') {
      const directions = flags.regDirections === undefined ? (previous?.kind === 'sigreg' ? previous.directions : undefined) : integer('reg-directions', flags.regDirections);
      const seed = previous?.kind === 'sigreg' ? previous.seed : undefined;
      out = { ...out, regularizer: { kind: 'sigreg', weight, ...(directions === undefined ? {} : { directions }), ...(seed === undefined ? {} : { seed }), ...withSamples } };
    } else {
      if (flags.regDirections !== undefined) fail('reg-directions', '--regularizer sigreg', flags.regDirections);
      const kept = previous?.kind === 'vicreg' ? previous.expander : undefined;
      const expander = flags.regExpander === undefined || flags.regExpander === false ? kept : expanderWidthsFlag(flags.regExpander, dim);
      out = { ...out, regularizer: { kind: 'vicreg', weight, ...withSamples, ...(expander === undefined ? {} : { expander }) } };
    }
    if (chosen === 'sigreg' && flags.regExpander !== undefined) fail('reg-expander', '--regularizer vicreg (the expander feeds its variance/covariance terms)', flags.regExpander);
  }
  if (flags.frozenTeacher) out = { ...out, frozenTeacher: true };
  if (flags.changeWeighting !== undefined) {
    const alpha = Number(flags.changeWeighting);
    if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) fail('change-weighting', 'a number in [0, 1]', flags.changeWeighting);
    out = { ...out, changeWeighting: alpha };
  }
  return out;
}

/** SIGReg's direction stream and VICReg's expander init follow the run's seed unless a config set one. */
function withRegularizerSeed(recipe: TrainingRecipe, seed: number): TrainingRecipe {
  const r = recipe.regularizer;
  const seeded = r?.kind === 'sigreg' || (r?.kind === 'vicreg' && r.expander !== undefined);
  return r && seeded && r.seed === undefined ? { ...recipe, regularizer: { ...r, seed } } : recipe;
}

function sizeFromName(name: string, argument = 'model'): VitSize {
  const size = name.replace(/^vit_/, '') as VitSize;
  if (!(size in VIT_SIZES)) fail(argument, `one of ${Object.keys(VIT_SIZES).join(', ')} (or vit_NAME)`, name);
  return size;
}

/**
 * The run config from the defaults, then the config file (official keys), then the flags — later wins.
 * Everything is checked here, before any model is built.
 */
export function resolveRunConfig(flags: TrainFlags, base: Partial<RunConfig> = {}): RunConfig {
  const file: OfficialConfig = flags.config ? readOfficialConfig(flags.config) : {};
  const data = file.data ?? {};
  const model = file.model ?? {};
  const opt = file.optimization ?? {};
  const meta = file.meta ?? {};
  const pick = (flag: unknown, fromFile: unknown, fromBase: unknown, fallback: unknown): unknown =>
    flag ?? fromFile ?? fromBase ?? fallback;
  // Every value of the file is checked, also where a flag overrides it: a bad value is an error, never hidden.
  const fileValue = (key: string, value: unknown, min = 1) => (value === undefined ? undefined : integer(key, value, min));
  const configured = {
    crop: fileValue('data.crop_size', data.crop_size),
    frames: fileValue('data.num_frames', data.num_frames),
    frameStep: fileValue('data.sampling_rate', data.sampling_rate),
    batchSize: fileValue('data.batch_size', data.batch_size),
    predDim: fileValue('model.pred_embed_dim', model.pred_embed_dim),
    predDepth: fileValue('model.pred_depth', model.pred_depth),
    seed: fileValue('meta.seed', meta.seed, 0),
    size: model.model_name === undefined ? undefined : sizeFromName(String(model.model_name), 'model.model_name'),
  };

  const size = sizeFromName(String(pick(flags.model, configured.size, base.model?.size, TRAIN_DEFAULTS.model)));
  const crop = integer('crop', pick(flags.crop, configured.crop, base.data?.crop, TRAIN_DEFAULTS.crop));
  const frames = integer('frames', pick(flags.frames, configured.frames, base.data?.frames, TRAIN_DEFAULTS.frames));
  const patch = integer('patch_size', data.patch_size ?? base.model?.encoder.patch ?? vitConfig(size).patch);
  const tubelet = integer('tubelet_size', data.tubelet_size ?? base.model?.encoder.tubelet ?? 2);
  if (configured.crop !== undefined && configured.crop % patch !== 0) fail('data.crop_size', `a multiple of patch_size (${patch})`, configured.crop);
  if (configured.frames !== undefined && configured.frames % tubelet !== 0) fail('data.num_frames', `a multiple of tubelet_size (${tubelet})`, configured.frames);
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
  const loss = file.loss ?? {};
  if (loss.loss_exp !== undefined) {
    const lossExp = Number(loss.loss_exp);
    if (!(Number.isFinite(lossExp) && lossExp >= 1)) fail('loss.loss_exp', 'a finite number ≥ 1', loss.loss_exp);
    recipe = { ...recipe, lossExp };
  }
  if (opt.ema !== undefined) recipe = { ...recipe, ema: pair('optimization.ema', opt.ema) };
  if (opt.clip_grad !== undefined) recipe = { ...recipe, clipGrad: opt.clip_grad === null ? null : finite('optimization.clip_grad', opt.clip_grad, 0, true) };

  const seed = integer('seed', pick(flags.seed, configured.seed, base.seed, TRAIN_DEFAULTS.seed), 0);
  const target = String(flags.target ?? base.target ?? 'features');
  if (target !== 'features' && target !== 'pixels') fail('target', "'features' or 'pixels'", target);
  recipe = trainerOptionFlags(flags, recipe, encoder.dim);
  if (flags.masks !== undefined && flags.masks !== 'official' && flags.masks !== 'future') fail('masks', "'official' or 'future'", flags.masks);
  const mask =
    flags.masks === 'future'
      ? [{ type: 'future' as const }]
      : flags.masks === 'official'
        ? [...PRETRAINING_MASK_GENERATORS]
        : Array.isArray(file.mask)
          ? file.mask.map(maskFromOfficial)
          : base.mask ?? [...PRETRAINING_MASK_GENERATORS];
  const predDim = integer('pred-dim', pick(flags.predDim, configured.predDim, base.model?.predictor.dim, TRAIN_DEFAULTS.predDim));
  const predDepth = integer('pred-depth', pick(flags.predDepth, configured.predDepth, base.model?.predictor.depth, TRAIN_DEFAULTS.predDepth));
  const arch = String(pick(flags.arch, undefined, base.model?.arch, 'vjepa')) as VjepaArch;
  if (!VJEPA_ARCHS.includes(arch)) fail('arch', `one of ${VJEPA_ARCHS.join(', ')}`, arch);
  // a predictor's own heads survive only while its width is the one they were given with
  const savedHeads = base.model?.predictor.heads !== undefined && base.model.predictor.dim === predDim ? base.model.predictor.heads : undefined;
  if (arch === 'vjepa2') {
    // RoPE needs ≥ 12 channels per head in both networks (the predictor has the encoder's heads unless a converted file said otherwise): checked here, before any work.
    checkRopeHeads('model', encoder.dim, encoder.heads);
    const predHeads = savedHeads ?? encoder.heads;
    if (predDim % predHeads !== 0 || predDim / predHeads < 12) {
      fail('pred-dim', `a multiple of the predictor's ${predHeads} heads with at least 12 channels per head for RoPE (≥ ${12 * predHeads})`, predDim);
    }
  }
  const spec = String(pick(flags.data, undefined, base.data?.spec, TRAIN_DEFAULTS.data));
  if (spec !== 'synthetic' && !spec.startsWith('synthetic:') && !existsSync(spec)) {
    fail('--data', "'synthetic', 'synthetic:NAME', or an existing CSV index or folder of videos", spec);
  }
  return {
    data: {
      spec,
      crop,
      frames,
      frameStep: integer('frame-step', pick(flags.frameStep, configured.frameStep, base.data?.frameStep, TRAIN_DEFAULTS.frameStep)),
      batchSize: integer('batch-size', pick(flags.batchSize, configured.batchSize, base.data?.batchSize, TRAIN_DEFAULTS.batchSize)),
    },
    model: {
      ...(arch === 'vjepa2' ? { arch } : {}),
      size,
      encoder,
      predictor: { dim: predDim, depth: predDepth, ...(savedHeads === undefined ? {} : { heads: savedHeads }) },
    },
    target,
    mask,
    optimization: { ...withRegularizerSeed(recipe, seed), target, steps },
    seed,
    preset: base.preset,
  };
}
