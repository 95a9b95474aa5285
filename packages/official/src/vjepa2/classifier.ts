import { CheckpointError, checkKeys, fail, optionKeys, verbatim, type HostTensor, type StateDictInput } from '@vjepa/core';
import { AttentiveProbeV2 } from '@vjepa/probe';
import { VisionTransformerV2 } from '@vjepa/vit';
import type { Vjepa2Arch, Vjepa2Protocol } from './arch';

/**
 * How a V-JEPA 2 classifier runs: `official` (default) — the official probe (its heads, 16 for every
 * release, LayerNorm eps 1e-5) and the probe's eval protocol; `hf` — what transformers'
 * `VJEPA2ForVideoClassification` computes instead: pooler heads = the encoder's, eps 1e-6, one clip
 * (one segment) and one centre view, last layer only.
 */
export type Vjepa2ClassifierMode = 'official' | 'hf';

/**
 * The clip geometry and aggregation a classification follows: the probe's protocol (resolution, frames ×
 * step, segments × views, `outLayers`) with the caller's overrides, without the task name.
 */
export type Vjepa2ClassifyProtocol = Omit<Vjepa2Protocol, 'task'>;

/** Options of {@link buildVjepa2Classifier}: the mode and any protocol field overridden. */
export interface Vjepa2ClassifierOptions extends Partial<Vjepa2ClassifyProtocol> {
  /** `official` (default) or `hf` (transformers' differences). */
  mode?: Vjepa2ClassifierMode;
}

/** Every key of {@link Vjepa2ClassifierOptions}. */
export const VJEPA2_CLASSIFIER_OPTION_KEYS = optionKeys<Vjepa2ClassifierOptions>({
  mode: true, resolution: true, frames: true, frameStep: true, segments: true, views: true, outLayers: true,
});

/** What a V-JEPA 2 checkpoint read whole gives (`readVjepa2`, or an opened one with every tensor read). */
export interface Vjepa2ClassifierWeights {
  arch: Vjepa2Arch;
  /** Official encoder keys. */
  encoder: StateDictInput | Map<string, HostTensor> | null;
  /** Official probe keys (`pooler.…`, `linear.…`). */
  probe: StateDictInput | Map<string, HostTensor> | null;
  /** Class names, null when the file has none (then `class <i>`). */
  labels: string[] | null;
  /** The file(s), for messages. */
  source: string;
}

/** A V-JEPA 2 encoder and attentive probe loaded, with the protocol they classify by. */
export interface Vjepa2Classifier {
  readonly encoder: VisionTransformerV2;
  readonly probe: AttentiveProbeV2;
  readonly protocol: Vjepa2ClassifyProtocol;
  readonly mode: Vjepa2ClassifierMode;
  /** One name per class. */
  readonly labels: string[];
  /** Frees both models' weights. */
  dispose(): void;
}

/** When the probe names no protocol (not a released one): one 16×4 clip at the encoder's size, one view. */
function defaultProtocol(arch: Vjepa2Arch): Vjepa2ClassifyProtocol {
  const released: Vjepa2Protocol | null = arch.protocol;
  if (released) return { resolution: released.resolution, frames: released.frames, frameStep: released.frameStep, segments: released.segments, views: released.views, outLayers: released.outLayers ? [...released.outLayers] : null };
  return { resolution: arch.encoder!.imageSize, frames: arch.encoder!.frames, frameStep: 4, segments: 1, views: 1, outLayers: null };
}

/**
 * The protocol a classification follows: the probe's (`arch.protocol`, else one clip at the encoder's
 * size), transformers' one clip and one view in `hf` mode, then each given field.
 *
 * @throws UsageError for a bad field (a non-positive count, an odd frame count, a layer outside the encoder).
 */
export function classifyProtocol(arch: Vjepa2Arch, options: Vjepa2ClassifierOptions = {}): Vjepa2ClassifyProtocol {
  checkKeys('options', options, VJEPA2_CLASSIFIER_OPTION_KEYS);
  const { mode = 'official', ...overrides } = options;
  if (mode !== 'official' && mode !== 'hf') fail('options.mode', "'official' or 'hf'", mode);
  if (!arch.encoder) fail('encoder', 'a checkpoint with a V-JEPA 2 encoder', verbatim('none'), undefined, CheckpointError);
  const base = defaultProtocol(arch);
  const protocol = mode === 'hf' ? { ...base, segments: 1, views: 1, outLayers: null } : base;
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (protocol as unknown as Record<string, unknown>)[key] = value;
  for (const key of ['resolution', 'frames', 'frameStep', 'segments', 'views'] as const) {
    if (!Number.isSafeInteger(protocol[key]) || protocol[key] < 1) fail(`options.${key}`, 'a positive integer', protocol[key]);
  }
  const { patch, tubelet, depth } = arch.encoder;
  if (protocol.resolution % patch !== 0) fail('options.resolution', `a multiple of the patch ${patch}`, protocol.resolution);
  if (protocol.frames % tubelet !== 0) fail('options.frames', `a multiple of the tubelet ${tubelet}`, protocol.frames);
  if (protocol.outLayers !== null && (!Array.isArray(protocol.outLayers) || !protocol.outLayers.every((l) => Number.isSafeInteger(l) && l >= 0 && l < depth))) {
    fail('options.outLayers', `block numbers in [0, ${depth})`, protocol.outLayers);
  }
  return protocol;
}

/**
 * Builds `VisionTransformerV2` and `AttentiveProbeV2` from a V-JEPA 2 checkpoint's description and loads
 * their state dicts (official keys). In `official` mode the probe has the file's heads (16 for every
 * release) and eps 1e-5; in `hf` mode transformers' pooler heads (the encoder's) and eps 1e-6. Build it
 * after the backend is selected; dispose it when done.
 *
 * @param weights - `readVjepa2(...)` (or `combineVjepa2` read whole): the architecture, encoder, probe, labels.
 * @param options - the mode and protocol overrides (see {@link classifyProtocol}).
 * @throws CheckpointError when the file has no encoder or no probe, or the probe is the EK-100 one (it needs the predictor).
 * @example
 * const classifier = buildVjepa2Classifier(readVjepa2('vjepa2-vitl-fpc16-256-ssv2/'));
 * console.log(classifier.protocol); // { resolution: 256, frames: 16, frameStep: 4, segments: 2, views: 3, outLayers: null }
 */
export function buildVjepa2Classifier(weights: Vjepa2ClassifierWeights, options: Vjepa2ClassifierOptions = {}): Vjepa2Classifier {
  const { arch, source } = weights;
  const mode = options.mode ?? 'official';
  const protocol = classifyProtocol(arch, options);
  const e = arch.encoder!;
  const p = arch.probe;
  if (!p || !weights.probe) fail(source, 'a V-JEPA 2 classifier (an attentive probe: a probe .pt or a VJEPA2ForVideoClassification folder)', verbatim('an encoder only'), 'Pass the probe too (--probe-checkpoint)', CheckpointError);
  if (typeof p.classes !== 'number') fail(source, 'a single-head probe (SSv2, Diving-48 style)', verbatim('the EK-100 verb/noun/action probe, which anticipates through the predictor'), undefined, CheckpointError);
  if (!weights.encoder) fail(source, 'the encoder weights', verbatim('none'), undefined, CheckpointError);
  const heads = mode === 'hf' ? (p.hf?.heads ?? e.heads) : p.heads;
  const normEps = mode === 'hf' ? (p.hf?.normEps ?? 1e-6) : p.normEps;
  const labels = weights.labels ?? Array.from({ length: p.classes }, (_, i) => `class ${i}`);
  if (labels.length !== p.classes) fail(`${source}: labels`, `${p.classes} names (the classifier's rows)`, labels.length, undefined, CheckpointError);
  const encoder = new VisionTransformerV2({
    dim: e.dim, depth: e.depth, heads: e.heads, mlpRatio: e.mlpHidden / e.dim, patch: e.patch, tubelet: e.tubelet, channels: e.channels,
    qkvBias: e.qkvBias, normEps: e.normEps, imageSize: protocol.resolution, frames: protocol.frames,
  });
  let probe: AttentiveProbeV2 | undefined;
  try {
    encoder.loadStateDict(weights.encoder, { source: `${source} (encoder)` });
    probe = new AttentiveProbeV2({ dim: p.dim, classes: p.classes, heads, depth: p.depth, mlpRatio: p.mlpHidden / p.dim, normEps });
    probe.loadStateDict(weights.probe, { source: `${source} (probe)` });
  } catch (error) {
    encoder.dispose();
    probe?.dispose();
    throw error;
  }
  const built = probe;
  return { encoder, probe: built, protocol, mode, labels, dispose: () => (encoder.dispose(), built.dispose()) };
}
