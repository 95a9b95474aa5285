/**
 * The named synthetic datasets and their label vocabularies. A variant fixes the clip size and how hard
 * the scenes are (object size, speeds, distractors, contrast, noise, background motion); the seed fixes
 * the content.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';

/** The `shape` label values, by index. */
export const SYNTHETIC_SHAPES = ['square', 'circle', 'triangle', 'cross'] as const;

/** The `direction` label values, by index: counter-clockwise from east in 45° steps, north = up the frame. */
export const SYNTHETIC_DIRECTIONS = ['east', 'north-east', 'north', 'north-west', 'west', 'south-west', 'south', 'south-east'] as const;

/** The settings of one synthetic dataset. Sizes and speeds are in pixels of this variant's frame size. */
export interface SyntheticVariant {
  /** Name after `synthetic:`, e.g. `shapes-easy`. */
  name: string;
  /** One line for listings. */
  description: string;
  /** Frames per clip, T. */
  numFrames: number;
  /** Frame height, H. */
  height: number;
  /** Frame width, W. */
  width: number;
  /** Default number of items. */
  size: number;
  /** Object radius range (a circle's radius; other shapes have the same area) as a fraction of min(H, W). */
  objectSize: readonly [number, number];
  /** Object speeds in pixels per frame; each item picks one (its `speed` label is the index). */
  speeds: readonly number[];
  /** Range of distractor objects per clip (other shapes, smaller, moving their own ways). */
  distractors: readonly [number, number];
  /** Range of the RGB distance between object and background mean colours. */
  contrast: readonly [number, number];
  /** Texture amplitude of object and background, 0 (flat) … 1. */
  texture: number;
  /** Per-pixel uniform noise amplitude per frame, on the 0–255 scale. */
  noise: number;
  /** Background drift speed in pixels per frame (a slow camera pan), 0 for a still background. */
  backgroundDrift: number;
  /**
   * What is painted behind the objects (default `textured`): `textured` (still gratings and a cloud,
   * drifting with `backgroundDrift`), `flat` (the background's mean colour, one colour per clip) or `noise`
   * (a fresh random colour per pixel and frame between the background's two colours: nothing static).
   */
  background?: 'textured' | 'flat' | 'noise';
  /**
   * Variants with the same scene key draw the same objects, colours and motions for the same seed and
   * index (default the name): `motion-flat`, `motion-noise` and `motion-static` differ only behind them.
   */
  scene?: string;
  /** `shapes` (default: the shapes above) or `mnist` (two bouncing handwritten digits, see `movingMnistItem`). */
  kind?: 'shapes' | 'mnist';
}

/** The side of an MNIST digit image, pixels. */
export const MNIST_SIDE = 28;

const BASE = { numFrames: 16, height: 64, width: 64 } as const;

/**
 * What the three `motion-*` variants share: radius 10–15 px at 64 px (one to two 16-px patches across),
 * speeds 2.5–3.5 px/frame (37–52 px, more than two patches, over 16 frames), one distractor.
 */
const MOTION = {
  size: 4096,
  objectSize: [10 / 64, 15 / 64],
  speeds: [2.5, 3, 3.5],
  distractors: [1, 1],
  contrast: [80, 200],
  texture: 0.5,
  noise: 4,
  backgroundDrift: 0,
  scene: 'motion',
} as const;

/** The built-in variants by name; `synthetic` alone means `synthetic:shapes`. */
export const SYNTHETIC_VARIANTS: Readonly<Record<string, SyntheticVariant>> = {
  shapes: {
    ...BASE,
    name: 'shapes',
    description: 'default: 16×64×64, textured shapes and background, 1–2 distractors, 4 speeds',
    size: 4096,
    objectSize: [0.11, 0.17],
    speeds: [1, 1.5, 2, 2.5],
    distractors: [1, 2],
    contrast: [50, 200],
    texture: 0.5,
    noise: 6,
    backgroundDrift: 0,
  },
  'shapes-easy': {
    ...BASE,
    name: 'shapes-easy',
    description: '16×64×64, large high-contrast shapes, faint textures, no distractors, no noise',
    size: 2048,
    objectSize: [0.16, 0.2],
    speeds: [1.5, 2],
    distractors: [0, 0],
    contrast: [110, 220],
    texture: 0.25,
    noise: 0,
    backgroundDrift: 0,
  },
  'shapes-hard': {
    ...BASE,
    name: 'shapes-hard',
    description: '16×64×64, small low-contrast shapes, strong textures, 2–4 distractors, noise, panning background',
    size: 8192,
    objectSize: [0.09, 0.14],
    speeds: [0.5, 1, 2, 3],
    distractors: [2, 4],
    contrast: [25, 80],
    texture: 0.8,
    noise: 12,
    backgroundDrift: 0.5,
  },
  'motion-flat': {
    ...BASE,
    ...MOTION,
    name: 'motion-flat',
    description: '16×64×64 motion benchmark: objects 1–2 patches across, ≥ 2 patches of travel, a distractor, flat background',
    background: 'flat',
  },
  'motion-noise': {
    ...BASE,
    ...MOTION,
    name: 'motion-noise',
    description: 'the motion benchmark over fresh per-frame noise (nothing static to copy)',
    background: 'noise',
  },
  'motion-static': {
    ...BASE,
    ...MOTION,
    name: 'motion-static',
    description: 'the motion benchmark over a still textured background (the documented failure case of JEPAs)',
    background: 'textured',
  },
  mnist: {
    ...BASE,
    name: 'mnist',
    kind: 'mnist',
    description: 'Moving MNIST 16×64×64: two real handwritten digits moving and bouncing; labels digit and direction',
    size: 4096,
    objectSize: [28 / 64, 28 / 64],
    speeds: [2, 2.25],
    distractors: [1, 1],
    contrast: [255, 255],
    texture: 0,
    noise: 0,
    backgroundDrift: 0,
  },
  tiny: {
    name: 'tiny',
    description: '8×32×32 for quick tests: textured shapes, 0–1 distractor',
    numFrames: 8,
    height: 32,
    width: 32,
    size: 1024,
    objectSize: [0.15, 0.2],
    speeds: [1, 1.5],
    distractors: [0, 1],
    contrast: [60, 200],
    texture: 0.4,
    noise: 4,
    backgroundDrift: 0,
  },
};

/** Overrides of a variant's clip size; object sizes keep their fraction, speeds scale with min(H, W). */
export interface SyntheticSizeOverrides {
  /** Frames per clip. */
  numFrames?: number;
  /** Frame height. */
  height?: number;
  /** Frame width. */
  width?: number;
}

/**
 * The variant named by `name`: `synthetic` (= `synthetic:shapes`), `synthetic:NAME`, or `NAME` alone, with
 * optional size overrides.
 *
 * @throws VjepaError listing the known names when `name` is unknown.
 */
export function syntheticVariant(name = 'synthetic', overrides: SyntheticSizeOverrides = {}): SyntheticVariant {
  if (typeof name !== 'string') fail('name', 'a string', name);
  const key = name === 'synthetic' ? 'shapes' : name.startsWith('synthetic:') ? name.slice('synthetic:'.length) : name;
  const base = SYNTHETIC_VARIANTS[key];
  if (base === undefined) {
    const known = ['synthetic', ...Object.keys(SYNTHETIC_VARIANTS).map((variant) => `synthetic:${variant}`)];
    fail('name', `one of ${known.join(', ')}`, name);
  }
  const { numFrames = base.numFrames, height = base.height, width = base.width } = overrides;
  for (const [field, value] of [['numFrames', numFrames], ['height', height], ['width', width]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) fail(field, 'a positive integer', value);
  }
  if (Math.min(height, width) < 8) fail('height, width', 'at least 8 pixels each', [height, width]);
  const speedScale = Math.min(height, width) / Math.min(base.height, base.width);
  if (base.kind === 'mnist') {
    // the labelled digit must cross the clip without touching a wall, at its fastest speed, diagonally or not
    const travel = Math.max(...base.speeds) * (numFrames - 1);
    if (Math.min(height, width) - MNIST_SIDE < travel) {
      fail('numFrames, height, width', `a frame at least ${MNIST_SIDE} + ${travel} px on its shorter side for ${numFrames} frames of Moving MNIST`, [numFrames, height, width]);
    }
    return { ...base, numFrames, height, width };
  }
  return { ...base, numFrames, height, width, speeds: base.speeds.map((speed) => speed * speedScale) };
}
