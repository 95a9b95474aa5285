/**
 * Violation-of-expectation pairs (`synthetic:voe-<event>`): twin clips that are the same bytes up to an
 * event frame, after which the labelled object of one twin does something physically possible (it goes
 * on along its straight path, unchanged) and in the other something impossible — it reverses its velocity
 * at the same speed with nothing to bounce off, jumps elsewhere, vanishes in the open, or turns into
 * another shape. Everything else — background noise, distractors, colours, textures — is the same in both
 * twins, frame for frame, so the only difference is whether the motion could happen. Two scenes: the
 * motion benchmark over fresh per-frame noise (`synthetic:motion-noise`) and Moving MNIST on held-out
 * digit images (`synthetic:voe-<event>-mnist`).
 *
 * @packageDocumentation
 */
import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { renderSyntheticItem } from './synthetic';
import { SYNTHETIC_SHAPES, syntheticVariant, type SyntheticSizeOverrides, type SyntheticVariant } from './synthetic-variants';
import type { ObjectPath } from './synthetic-render';
import type { SyntheticSplit } from './synthetic-mnist';
import { MNIST_SIDE } from './synthetic-variants';
import type { Clip } from './types';

/** The impossible events, by name: the `<event>` of `synthetic:voe-<event>`. */
export const VOE_EVENTS = ['reversal', 'teleport', 'disappear', 'shape'] as const;

/** One impossible event. */
export type VoeEvent = (typeof VOE_EVENTS)[number];

/** What the pairs are drawn over: the motion benchmark's noise scene, or Moving MNIST. */
export type VoeScene = 'noise' | 'mnist';

/** One twin pair. */
export interface VoePair {
  event: VoeEvent;
  scene: VoeScene;
  /** The first frame where the twins differ; frames `0 … eventFrame − 1` are identical bytes. */
  eventFrame: number;
  /** The labelled object goes on along its straight path, unchanged. */
  possible: Clip;
  /** The labelled object does `event` from `eventFrame` on. */
  impossible: Clip;
  /** `synthetic:voe-reversal#3`. */
  name: string;
  /** With `masks`: each twin's labelled-object coverage `(T, H, W)` in [0, 1]. */
  masks?: { possible: Float32Array; impossible: Float32Array };
}

/** The event and scene a `synthetic:voe-<event>[-mnist]` name stands for. */
export function voeSpec(name: string): { event: VoeEvent; scene: VoeScene } {
  const match = typeof name === 'string' ? /^(?:synthetic:)?voe-([a-z]+)(-mnist)?$/.exec(name) : null;
  const event = match?.[1] as VoeEvent | undefined;
  if (!match || !event || !VOE_EVENTS.includes(event)) {
    fail('name', `one of ${VOE_EVENTS.map((e) => `synthetic:voe-${e}`).join(', ')} (each also with -mnist)`, name);
  }
  return { event, scene: match[2] ? 'mnist' : 'noise' };
}

/** Every pair set by name: the four events over noise, then over Moving MNIST. */
export const VOE_SETS: readonly string[] = [...VOE_EVENTS.map((e) => `synthetic:voe-${e}`), ...VOE_EVENTS.map((e) => `synthetic:voe-${e}-mnist`)];

/** The path of the impossible twin's object: its straight path up to frame `e − 1`, then `event`. */
function impossiblePath(event: VoeEvent, e: number, jump: { x: number; y: number }): ObjectPath {
  const last = e - 1; // the last frame the twins share
  return (t, along) => {
    if (t < e) return { ...along(t), visible: true, alternate: false };
    switch (event) {
      case 'reversal':
        return { ...along(2 * last - t), visible: true, alternate: false }; // back the way it came, at the same speed
      case 'teleport': {
        const at = along(t);
        return { x: at.x + jump.x, y: at.y + jump.y, visible: true, alternate: false };
      }
      case 'disappear':
        return { ...along(t), visible: false, alternate: false };
      default:
        return { ...along(t), visible: true, alternate: true };
    }
  };
}

/**
 * The teleport's jump: half the frame on each axis over noise (the frame wraps, so that is the farthest
 * point); over Moving MNIST, whose walls do not wrap, half the room a digit moves in, toward the middle.
 */
function teleportJump(scene: VoeScene, variant: SyntheticVariant, item: { x0: number; y0: number; vx: number; vy: number }, e: number): { x: number; y: number } {
  if (scene === 'noise') return { x: variant.width / 2, y: variant.height / 2 };
  const half = MNIST_SIDE / 2;
  const toward = (position: number, size: number) => {
    const room = size - MNIST_SIDE;
    return position - half < room / 2 ? room / 2 : -room / 2;
  };
  return { x: toward(item.x0 + item.vx * e, variant.width), y: toward(item.y0 + item.vy * e, variant.height) };
}

/** Options of {@link renderVoePair} and {@link voePairSource}. */
export interface VoePairOptions extends SyntheticSizeOverrides {
  /** Content seed (default 0). */
  seed?: number;
  /** Moving MNIST only: the digit images (default `val`, the images a `synthetic:mnist` training never sees). */
  split?: SyntheticSplit;
  /** Also return each twin's object coverage (for tests and figures). Default false. */
  masks?: boolean;
}

const PAIR_OPTION_KEYS = optionKeys<VoePairOptions>({ seed: true, split: true, masks: true, numFrames: true, height: true, width: true });

/**
 * Pair `index` of `name` (`synthetic:voe-reversal`, `synthetic:voe-teleport-mnist`, …) — a pure function of
 * name, options and index. The event frame is the middle of the clip, `⌊T / 2⌋`. The shape change turns the
 * object into another of the four shapes (or the digit into another class), same size, colours and texture.
 */
export function renderVoePair(name: string, index: number, options: VoePairOptions = {}): VoePair {
  checkKeys('options', options, PAIR_OPTION_KEYS);
  const { event, scene } = voeSpec(name);
  const { seed = 0, split = 'val', masks = false, ...sizes } = options;
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  if (!Number.isSafeInteger(index) || index < 0) fail('index', 'a non-negative integer', index);
  const variant = syntheticVariant(scene === 'noise' ? 'synthetic:motion-noise' : 'synthetic:mnist', sizes);
  const e = Math.floor(variant.numFrames / 2);
  if (e < 2) fail('numFrames', 'at least 4 frames (two before the event, two after)', variant.numFrames);
  const possible = renderSyntheticItem(variant, seed, index, { split, mask: masks });
  const labels = possible.labels;
  const classes = scene === 'noise' ? SYNTHETIC_SHAPES.length : 10;
  const own = scene === 'noise' ? labels.shape : labels.digit;
  const alternateShape = (own + 1 + (index % (classes - 1))) % classes; // never its own
  const path = impossiblePath(event, e, teleportJump(scene, variant, possible.motion, e));
  const impossible = renderSyntheticItem(variant, seed, index, { split, mask: masks, path, ...(event === 'shape' ? { alternateShape } : {}) });
  const pairName = `synthetic:voe-${event}${scene === 'mnist' ? '-mnist' : ''}#${index}`;
  const clip = (item: typeof possible, twin: string): Clip => ({
    frames: item.frames,
    numFrames: item.numFrames,
    height: item.height,
    width: item.width,
    labels: item.labels,
    name: `${pairName}/${twin}`,
  });
  return {
    event,
    scene,
    eventFrame: e,
    possible: clip(possible, 'possible'),
    impossible: clip(impossible, 'impossible'),
    name: pairName,
    ...(masks ? { masks: { possible: possible.mask!, impossible: impossible.mask! } } : {}),
  };
}

/** A numbered set of twin pairs. */
export interface VoePairSource {
  readonly size: number;
  readonly description: string;
  readonly event: VoeEvent;
  readonly scene: VoeScene;
  /** Pair `index`, 0 … size − 1. */
  get(index: number): VoePair;
}

/**
 * The pairs of `name` as a numbered set (default 64 pairs).
 *
 * @example
 * ```ts
 * const pairs = voePairSource('synthetic:voe-reversal', { seed: 1, size: 32 });
 * const { possible, impossible, eventFrame } = pairs.get(0); // identical frames before eventFrame
 * ```
 */
export function voePairSource(name: string, options: VoePairOptions & { size?: number } = {}): VoePairSource {
  const { size = 64, ...rest } = options;
  checkKeys('options', rest, PAIR_OPTION_KEYS);
  const { event, scene } = voeSpec(name);
  if (!Number.isSafeInteger(size) || size < 1) fail('size', 'a positive integer', size);
  const first = renderVoePair(name, 0, rest); // checks the sizes before any caller's work
  return {
    size,
    event,
    scene,
    description: `${first.name.split('#')[0]} (${size} pairs of ${first.possible.numFrames}×${first.possible.height}×${first.possible.width}, event at frame ${first.eventFrame}, seed ${rest.seed ?? 0})`,
    get(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) fail('index', `an integer in [0, ${size - 1}]`, index);
      return index === 0 ? first : renderVoePair(name, index, rest);
    },
  };
}
