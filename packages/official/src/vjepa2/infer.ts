import { CheckpointError, fail, verbatim } from '@vjepa/core';
import {
  VJEPA2_SIZES,
  type Vjepa2Arch,
  type Vjepa2EncoderArch,
  type Vjepa2PredictorArch,
  type Vjepa2ProbeArch,
  type Vjepa2Protocol,
  type Vjepa2Size,
} from './arch';
import { EK100_HEADS } from './official-keys';
import type { LazyStateDict } from './lazy-tensor';

/** What the tensors cannot say, given by the caller (each overrides the file's config and the defaults). */
export interface Vjepa2Hints {
  /** Encoder heads (default: the config's, else the released size of that width). */
  heads?: number;
  /** Predictor heads (default: the config's, else 12 for the released width 384). */
  predictorHeads?: number;
  /** Probe heads (default 16, the official probe's; HF's encoder heads when 16 does not divide the width). */
  probeHeads?: number;
  /** Crop size (default: the config's `crop_size`, the probe's protocol, 384 for a file name with `384`, else 256). */
  imageSize?: number;
  /** Frames per clip (default: the config's `frames_per_clip`, the probe's protocol, else 16). */
  frames?: number;
}

/** The fields of a Hugging Face `config.json` this package reads (a `VJEPA2Config`). */
export interface HfVjepa2Config {
  hidden_size?: number;
  num_hidden_layers?: number;
  num_attention_heads?: number;
  mlp_ratio?: number;
  patch_size?: number;
  tubelet_size?: number;
  in_chans?: number;
  crop_size?: number;
  frames_per_clip?: number;
  layer_norm_eps?: number;
  pred_hidden_size?: number;
  pred_num_hidden_layers?: number;
  pred_num_attention_heads?: number;
  pred_num_mask_tokens?: number;
  num_pooler_layers?: number;
}

function shapeOf(state: LazyStateDict, key: string, rank: number, where: string): readonly number[] {
  const tensor = state.get(key);
  if (!tensor) fail(`${where}: ${key}`, 'a tensor', verbatim('none'), undefined, CheckpointError);
  if (tensor.shape.length !== rank) fail(`${where}: ${key} shape`, `${rank} dimensions`, [...tensor.shape], undefined, CheckpointError);
  return tensor.shape;
}

function countBlocks(state: LazyStateDict, prefix: string): number {
  let n = 0;
  while (state.has(`${prefix}.${n}.norm1.weight`)) n++;
  return n;
}

function heads(given: number | undefined, config: number | undefined, fallback: number | undefined, option: string, what: string): number {
  const value = given ?? config ?? fallback;
  if (value === undefined) fail(option, `a head count (${what} is no released V-JEPA 2 size)`, verbatim('none'), `Pass ${option}`);
  return value;
}

/** The released size an encoder's shapes match, else null. */
export function releasedSize(dim: number, depth: number, mlpHidden: number): Vjepa2Size | null {
  const found = (Object.keys(VJEPA2_SIZES) as Vjepa2Size[]).find((s) => {
    const size = VJEPA2_SIZES[s];
    return size.dim === dim && size.depth === depth && size.mlpHidden === mlpHidden;
  });
  return found ?? null;
}

/** The encoder architecture of an official-key state dict. */
function encoderArch(state: LazyStateDict, hints: Vjepa2Hints, config: HfVjepa2Config, geometry: { imageSize: number; frames: number }, where: string): Vjepa2EncoderArch {
  const [dim, channels, tubelet, patch, patchW] = shapeOf(state, 'patch_embed.proj.weight', 5, where);
  if (patch !== patchW) fail(`${where}: patch_embed.proj.weight shape`, 'a square patch [D, C, t, p, p]', [dim, channels, tubelet, patch, patchW], undefined, CheckpointError);
  const depth = countBlocks(state, 'blocks');
  const mlpHidden = state.get('blocks.0.mlp.fc1.weight')?.shape[0] ?? 4 * dim;
  const size = releasedSize(dim, depth, mlpHidden);
  const h = heads(hints.heads, config.num_attention_heads, size ? VJEPA2_SIZES[size].heads : undefined, 'heads', `width ${dim}, depth ${depth}`);
  return { dim, depth, heads: h, mlpHidden, mlpRatio: mlpHidden / dim, patch, tubelet, channels, qkvBias: state.has('blocks.0.attn.qkv.bias'), normEps: config.layer_norm_eps ?? 1e-6, ...geometry };
}

function predictorArch(state: LazyStateDict, hints: Vjepa2Hints, config: HfVjepa2Config, encoder: Vjepa2EncoderArch | null, where: string): Vjepa2PredictorArch {
  const [dim, encoderDim] = shapeOf(state, 'predictor_embed.weight', 2, where);
  const depth = countBlocks(state, 'predictor_blocks');
  let numMaskTokens = 0;
  while (state.has(`mask_tokens.${numMaskTokens}`)) numMaskTokens++;
  const mlpHidden = state.get('predictor_blocks.0.mlp.fc1.weight')?.shape[0] ?? 4 * dim;
  const h = heads(hints.predictorHeads, config.pred_num_attention_heads, dim === 384 ? 12 : undefined, 'predictorHeads', `predictor width ${dim}`);
  const geometry = encoder ?? { imageSize: 256, patch: 16, tubelet: 2, frames: 16 };
  return {
    encoderDim,
    dim,
    depth,
    heads: h,
    mlpHidden,
    mlpRatio: mlpHidden / dim,
    numMaskTokens,
    qkvBias: state.has('predictor_blocks.0.attn.qkv.bias'),
    normEps: config.layer_norm_eps ?? 1e-6,
    imageSize: geometry.imageSize,
    patch: geometry.patch,
    tubelet: geometry.tubelet,
    frames: geometry.frames,
  };
}

function probeArch(state: LazyStateDict, hints: Vjepa2Hints, config: HfVjepa2Config, hf: boolean, where: string): Vjepa2ProbeArch {
  const [, queries, dim] = shapeOf(state, 'pooler.query_tokens', 3, where);
  let blocks = 0;
  while (state.has(`pooler.blocks.${blocks}.norm1.weight`)) blocks++;
  const mlpHidden = state.get('pooler.cross_attention_block.mlp.fc1.weight')?.shape[0] ?? 4 * dim;
  let classes: Vjepa2ProbeArch['classes'];
  if (state.has('linear.weight')) classes = shapeOf(state, 'linear.weight', 2, where)[0];
  else if (EK100_HEADS.every((h) => state.has(`${h}_classifier.weight`))) {
    const [verb, noun, action] = EK100_HEADS.map((h) => shapeOf(state, `${h}_classifier.weight`, 2, where)[0]);
    classes = { verb, noun, action };
  } else fail(`${where}: linear.weight`, 'the classifier of the probe (linear, or verb/noun/action_classifier)', verbatim('none'), undefined, CheckpointError);
  const hfHeads = hf ? config.num_attention_heads : undefined;
  const h = hints.probeHeads ?? (dim % 16 === 0 ? 16 : hfHeads);
  if (h === undefined) fail('probeHeads', `a head count (the official 16 does not divide the probe width ${dim})`, verbatim('none'), 'Pass probeHeads');
  const probe: Vjepa2ProbeArch = { dim, depth: blocks + 1, heads: h, mlpHidden, mlpRatio: mlpHidden / dim, queries, classes, normEps: 1e-5 };
  if (hf) probe.hf = { heads: config.num_attention_heads ?? h, normEps: config.layer_norm_eps ?? 1e-6 };
  return probe;
}

/** The official protocol of a released probe, by its classes and width (spec §3), else null. */
export function probeProtocol(probe: Vjepa2ProbeArch): Vjepa2Protocol | null {
  const large = probe.dim === 1024;
  const giant = probe.dim === 1408;
  if (!large && !giant) return null;
  if (probe.classes === 174) return { task: 'ssv2', resolution: large ? 256 : 384, frames: large ? 16 : 64, frameStep: large ? 4 : 2, segments: 2, views: 3, outLayers: null };
  if (probe.classes === 48) {
    return { task: 'diving48', resolution: large ? 256 : 384, frames: 32, frameStep: 2, segments: 4, views: 3, outLayers: large ? [17, 19, 21, 23] : [24, 29, 34, 39] };
  }
  return null;
}

/** The state dicts of a checkpoint, by official key (null where the file has none). */
export interface Vjepa2States {
  encoder: LazyStateDict | null;
  predictor: LazyStateDict | null;
  probe: LazyStateDict | null;
}

/**
 * The architecture the state dicts (official keys) imply, with a Hugging Face config and the caller's
 * hints for what shapes cannot say (heads, image size, frames).
 *
 * @param states - the state dicts.
 * @param context - the file (for errors and the `384` of official file names), the config of a Hugging Face folder, the labels.
 * @param hints - the caller's overrides.
 */
export function inferVjepa2Arch(
  states: Vjepa2States,
  context: { source: string; config?: HfVjepa2Config; labels?: string[] | null },
  hints: Vjepa2Hints = {},
): Vjepa2Arch {
  const config = context.config ?? {};
  const hf = context.config !== undefined;
  const assumed: string[] = [];
  const probe = states.probe ? probeArch(states.probe, hints, config, hf, `${context.source}: probe`) : null;
  if (probe && hints.probeHeads === undefined && !(probe.dim % 16 === 0)) assumed.push(`probe heads ${probe.heads}: the encoder's (the official 16 does not divide width ${probe.dim})`);
  const protocol = probe ? probeProtocol(probe) : null;
  const imageSize = hints.imageSize ?? config.crop_size ?? protocol?.resolution ?? (/384/.test(context.source.split(/[\\/]/).pop() ?? '') ? 384 : undefined);
  const frames = hints.frames ?? config.frames_per_clip ?? protocol?.frames;
  const encoder = states.encoder ? encoderArch(states.encoder, hints, config, { imageSize: imageSize ?? 256, frames: frames ?? 16 }, `${context.source}: encoder`) : null;
  if (encoder && imageSize === undefined) assumed.push('image size 256 (the released default; pass imageSize)');
  if (encoder && frames === undefined) assumed.push('16 frames (pass frames; RoPE takes any even count)');
  const predictor = states.predictor ? predictorArch(states.predictor, hints, config, encoder, `${context.source}: predictor`) : null;
  const size = encoder ? releasedSize(encoder.dim, encoder.depth, encoder.mlpHidden) : null;
  if (encoder && probe && probe.dim !== encoder.dim) fail(`${context.source}: probe`, `the encoder's width ${encoder.dim}`, probe.dim, 'The probe was trained on another encoder', CheckpointError);
  if (encoder && predictor && predictor.encoderDim !== encoder.dim) fail(`${context.source}: predictor_embed.weight`, `the encoder's width ${encoder.dim} as input`, predictor.encoderDim, undefined, CheckpointError);
  if (hf) checkConfig(config, encoder, predictor, probe, context.source);
  return { size, encoder, predictor, probe, protocol, labels: context.labels ?? null, assumed };
}

/** The config fields of a Hugging Face folder must agree with its tensors. */
function checkConfig(config: HfVjepa2Config, encoder: Vjepa2EncoderArch | null, predictor: Vjepa2PredictorArch | null, probe: Vjepa2ProbeArch | null, source: string): void {
  const check = (field: keyof HfVjepa2Config, actual: number | undefined, what: string) => {
    const value = config[field];
    if (value !== undefined && actual !== undefined && value !== actual) fail(`${source}: config.json ${field}`, `${actual} (${what})`, value, undefined, CheckpointError);
  };
  check('hidden_size', encoder?.dim, 'the width of the tensors');
  check('num_hidden_layers', encoder?.depth, 'the encoder blocks in the weights');
  check('patch_size', encoder?.patch, 'the patch of patch_embeddings.proj');
  check('tubelet_size', encoder?.tubelet, 'the tubelet of patch_embeddings.proj');
  check('in_chans', encoder?.channels, 'the channels of patch_embeddings.proj');
  if (encoder && config.mlp_ratio !== undefined && Math.abs(encoder.dim * config.mlp_ratio - encoder.mlpHidden) >= 1) {
    fail(`${source}: config.json mlp_ratio`, `a ratio giving the MLP width ${encoder.mlpHidden} of the weights`, config.mlp_ratio, undefined, CheckpointError);
  }
  if (encoder && encoder.dim % encoder.heads !== 0) fail(`${source}: config.json num_attention_heads`, `a divisor of the width ${encoder.dim}`, encoder.heads, undefined, CheckpointError);
  check('pred_hidden_size', predictor?.dim, 'the predictor width of the tensors');
  check('pred_num_hidden_layers', predictor?.depth, 'the predictor blocks in the weights');
  check('pred_num_mask_tokens', predictor?.numMaskTokens, 'the stacked mask tokens');
  check('num_pooler_layers', probe ? probe.depth - 1 : undefined, 'the self-attention layers of the pooler');
}
