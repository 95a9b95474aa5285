/**
 * The embedded synthetic video datasets: `synthetic` (= `synthetic:shapes`) and the other named variants,
 * generated on the fly and deterministically from a seed — no files, no download. Each item is one clip
 * of a textured shape moving across a textured background, labelled `{ shape, direction, speed }`.
 *
 * @packageDocumentation
 */
import { checkKeys, optionKeys, fail, RandomStream } from '@vjepa/core';
import { planSyntheticItem } from './synthetic-plan';
import { renderSyntheticPlan, type ObjectPath } from './synthetic-render';
import { renderMovingMnistItem, type SyntheticSplit } from './synthetic-mnist';
import {
  SYNTHETIC_DIRECTIONS,
  SYNTHETIC_SHAPES,
  syntheticVariant,
  type SyntheticSizeOverrides,
  type SyntheticVariant,
} from './synthetic-variants';
import type { Clip, ClipSource, SyntheticItem } from './types';

const COMBINATIONS = SYNTHETIC_SHAPES.length * SYNTHETIC_DIRECTIONS.length; // 32

/**
 * The `shape` and `direction` of item `index`: every aligned block of 32 items holds each of the 32
 * combinations exactly once, in a seeded order, so labels are balanced and not periodic in the index.
 */
export function syntheticLabels(root: RandomStream, index: number): { shape: number; direction: number } {
  const block = Math.floor(index / COMBINATIONS);
  const order = Array.from({ length: COMBINATIONS }, (_, k) => k);
  const rng = root.fork(`labels/${block}`);
  for (let k = COMBINATIONS - 1; k > 0; k--) {
    const j = rng.nextInt(0, k);
    [order[k], order[j]] = [order[j], order[k]];
  }
  const combination = order[index % COMBINATIONS];
  return { shape: combination % SYNTHETIC_SHAPES.length, direction: Math.floor(combination / SYNTHETIC_SHAPES.length) };
}

/** The direction label after a left-right mirror: east ↔ west, north-east ↔ north-west, … (k → 4 − k mod 8). */
export function mirrorDirection(direction: number): number {
  return (((4 - direction) % 8) + 8) % 8;
}

/** The stream all items of a (variant, seed) pair derive from. */
function rootStream(variant: SyntheticVariant, seed: number): RandomStream {
  return new RandomStream(seed).fork(`synthetic:${variant.scene ?? variant.name}`);
}

/**
 * Renders item `index` of `variant` for `seed` — a pure function of the three: the same arguments give
 * the same bytes on every run and platform.
 *
 * @param options.mask - also return the labelled object's coverage (for tests, visualisation and the
 *   object-token loss).
 * @param options.split - which digit images a Moving MNIST variant uses (default `train`); the shape
 *   variants have no images to split and ignore it (their train and validation sets differ by seed).
 * @param options.path - the labelled object's path instead of its straight line (see `ObjectPath`).
 * @param options.alternateShape - what the path's `alternate` frames draw: a shape id (0–3), or for Moving
 *   MNIST a digit class.
 */
export function renderSyntheticItem(
  variant: SyntheticVariant,
  seed: number,
  index: number,
  options: { mask?: boolean; split?: SyntheticSplit; path?: ObjectPath; alternateShape?: number } = {},
): SyntheticItem {
  if (variant.kind === 'mnist') {
    const { alternateShape, ...rest } = options;
    return renderMovingMnistItem(variant, seed, index, { ...rest, ...(alternateShape === undefined ? {} : { alternateDigit: alternateShape }) });
  }
  if (!Number.isSafeInteger(index) || index < 0) fail('index', 'a non-negative integer', index);
  const root = rootStream(variant, seed);
  const { shape, direction } = syntheticLabels(root, index);
  const rng = root.fork(`item/${index}`);
  const speedIndex = rng.nextInt(0, variant.speeds.length - 1);
  const plan = planSyntheticItem(variant, rng, shape, direction, variant.speeds[speedIndex]);
  const alternate = options.alternateShape === undefined ? undefined : { ...plan.object, shape: options.alternateShape };
  const { frames, mask } = renderSyntheticPlan(variant, plan, rng.fork('noise'), options.mask === true, { path: options.path, alternate });
  const { x0, y0, vx, vy } = plan.object;
  return {
    frames,
    numFrames: variant.numFrames,
    height: variant.height,
    width: variant.width,
    labels: { shape, direction, speed: speedIndex },
    name: `synthetic:${variant.name}#${index}`,
    motion: { x0, y0, vx, vy },
    ...(mask === null ? {} : { mask }),
  };
}

/** Options of {@link syntheticSource}. */
export interface SyntheticSourceOptions extends SyntheticSizeOverrides {
  /** Content seed; default 0. Different seeds give different, equally balanced sets. */
  seed?: number;
  /** Number of items; default the variant's size (4096 for `synthetic`). */
  size?: number;
  /** `train` (default) or `val`: Moving MNIST draws its digit images from disjoint halves (80 / 20 %). */
  split?: SyntheticSplit;
}

/**
 * A {@link ClipSource} over a named synthetic dataset: `synthetic` (16×64×64), `synthetic:shapes-easy`,
 * `synthetic:shapes-hard`, `synthetic:tiny` (8×32×32), the motion benchmark `synthetic:motion-flat`,
 * `synthetic:motion-noise`, `synthetic:motion-static` (same objects, three backgrounds) and Moving MNIST
 * `synthetic:mnist` (labels `{ digit, direction, speed }`). Items are whole clips (no frame sampling); the
 * `rng` of `get` is not used, so an item is the same every epoch (augmentations vary it). A horizontal
 * flip mirrors the `direction` label.
 *
 * @example
 * ```ts
 * const source = syntheticSource('synthetic:shapes-easy', { seed: 1, size: 512 });
 * const clip = await source.get(0, new RandomStream(0)); // clip.labels = { shape, direction, speed }
 * ```
 */
export function syntheticSource(name = 'synthetic', options: SyntheticSourceOptions = {}): ClipSource & { variant: SyntheticVariant; seed: number } {
  checkKeys('options', options, optionKeys<SyntheticSourceOptions>({ seed: true, size: true, split: true, numFrames: true, height: true, width: true }));
  const variant = syntheticVariant(name, options);
  const { seed = 0, size = variant.size, split = 'train' } = options;
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  if (split !== 'train' && split !== 'val') fail('split', "'train' or 'val'", split);
  if (!Number.isSafeInteger(size) || size < 1) fail('size', 'a positive integer', size);
  return {
    variant,
    seed,
    size,
    description: `synthetic:${variant.name} (${size} clips of ${variant.numFrames}×${variant.height}×${variant.width}, seed ${seed}${variant.kind === 'mnist' ? `, ${split} digits` : ''})`,
    async get(index): Promise<Clip> {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) fail('index', `an integer in [0, ${size - 1}]`, index);
      const { motion: _motion, ...clip } = renderSyntheticItem(variant, seed, index, { split });
      return clip;
    },
    mirrorLabels(labels) {
      return 'direction' in labels ? { ...labels, direction: mirrorDirection(labels.direction) } : labels;
    },
  };
}
