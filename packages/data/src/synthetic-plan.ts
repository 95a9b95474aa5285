/**
 * Planning one synthetic clip: every random choice (colours with a controlled contrast, textures, the
 * labelled object's size, start and velocity, the distractors, the background), drawn from one seeded
 * stream in a fixed order before any pixel is painted.
 *
 * @packageDocumentation
 */
import type { RandomStream } from '@vjepa/core';
import type { SyntheticVariant } from './synthetic-variants';

/** Shape ids: 0–3 are the labelled shapes (square, circle, triangle, cross), 4–6 distractor shapes. */
export const RING = 4;
/** A thin bar (distractor). */
export const BAR = 5;
/** An ellipse (distractor). */
export const ELLIPSE = 6;

/** An RGB colour on the 0–255 scale. */
export type Rgb = [number, number, number];

/** A procedural texture in object (or background) coordinates: `c1 + (c2 − c1) · q(u, v)`. */
export interface Texture {
  kind: number; // 0 stripes, 1 checker, 2 rings
  c1: Rgb;
  c2: Rgb;
  omega: number;
  cos: number;
  sin: number;
  phase: number;
}

/** One moving object. */
export interface Mover {
  shape: number;
  radius: number;
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  cos: number; // orientation of bars and ellipses
  sin: number;
  texture: Texture;
}

/** The background: two gratings and a coarse periodic cloud between two colours, drifting. */
export interface Background {
  low: Rgb;
  high: Rgb;
  waves: { kx: number; ky: number; phase: number; weight: number }[];
  cloud: Float32Array;
  cloudSize: number;
  cell: number;
  strength: number;
  dx: number;
  dy: number;
}

/** Everything random about one item, drawn before any pixel. */
export interface SyntheticPlan {
  /** The labelled object. */
  object: Mover;
  /** Smaller objects drawn behind it. */
  distractors: Mover[];
  /** The scene behind. */
  background: Background;
}

const uniform = (rng: RandomStream, low: number, high: number) => low + (high - low) * rng.nextFloat();
const clampColour = (value: number) => Math.min(235, Math.max(20, value));

function randomUnit3(rng: RandomStream): Rgb {
  const v: Rgb = [rng.normal(), rng.normal(), rng.normal()];
  const norm = Math.hypot(...v) || 1;
  return [v[0] / norm, v[1] / norm, v[2] / norm];
}

/** Two colours around `centre`, `spread` apart in a random RGB direction. */
function colourPair(rng: RandomStream, centre: Rgb, spread: number): [Rgb, Rgb] {
  const unit = randomUnit3(rng);
  const low = centre.map((c, k) => clampColour(c - (spread / 2) * unit[k])) as Rgb;
  const high = centre.map((c, k) => clampColour(c + (spread / 2) * unit[k])) as Rgb;
  return [low, high];
}

/** A mean colour at an RGB distance inside `contrast` from `from` (a few tries, then the best found). */
function contrastingColour(rng: RandomStream, from: Rgb, contrast: readonly [number, number]): Rgb {
  let best: Rgb = from;
  let bestError = Infinity;
  for (let attempt = 0; attempt < 12; attempt++) {
    const distance = uniform(rng, contrast[0], contrast[1]);
    const unit = randomUnit3(rng);
    const colour = from.map((c, k) => clampColour(c + distance * unit[k])) as Rgb;
    const reached = Math.hypot(colour[0] - from[0], colour[1] - from[1], colour[2] - from[2]);
    const error = reached < contrast[0] ? contrast[0] - reached : Math.max(0, reached - contrast[1]);
    if (error < bestError) [best, bestError] = [colour, error];
    if (error === 0) break;
  }
  return best;
}

function makeTexture(rng: RandomStream, mean: Rgb, strength: number, radius: number): Texture {
  const [c1, c2] = colourPair(rng, mean, strength * uniform(rng, 60, 140));
  const angle = uniform(rng, 0, Math.PI);
  const period = Math.max(2.5, radius * uniform(rng, 0.35, 0.8));
  return {
    kind: rng.nextInt(0, 2),
    c1,
    c2,
    omega: (2 * Math.PI) / period,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    phase: uniform(rng, 0, 2 * Math.PI),
  };
}

function makeMover(rng: RandomStream, variant: SyntheticVariant, shape: number, radius: number, angle: number, speed: number, colour: Rgb): Mover {
  const orientation = uniform(rng, 0, Math.PI);
  return {
    shape,
    radius,
    x0: uniform(rng, 0, variant.width),
    y0: uniform(rng, 0, variant.height),
    vx: speed * Math.cos(angle),
    vy: -speed * Math.sin(angle), // north is up: rows grow downwards
    cos: Math.cos(orientation),
    sin: Math.sin(orientation),
    texture: makeTexture(rng, colour, variant.texture, radius),
  };
}

function makeBackground(rng: RandomStream, variant: SyntheticVariant, mean: Rgb): Background {
  const [low, high] = colourPair(rng, mean, 40 + 160 * variant.texture);
  const side = Math.min(variant.height, variant.width);
  const waves = [0.3, 0.2].map((weight) => {
    const angle = uniform(rng, 0, 2 * Math.PI);
    const frequency = (2 * Math.PI) / (side * uniform(rng, 0.08, 0.3));
    return { kx: frequency * Math.cos(angle), ky: frequency * Math.sin(angle), phase: uniform(rng, 0, 2 * Math.PI), weight };
  });
  const cloudSize = 6;
  const cloud = new Float32Array(cloudSize * cloudSize);
  for (let k = 0; k < cloud.length; k++) cloud[k] = rng.nextFloat() - 0.5;
  const driftAngle = uniform(rng, 0, 2 * Math.PI);
  return {
    low,
    high,
    waves,
    cloud,
    cloudSize,
    cell: side / 3,
    strength: variant.texture,
    dx: variant.backgroundDrift * Math.cos(driftAngle),
    dy: variant.backgroundDrift * Math.sin(driftAngle),
  };
}

/**
 * Draws every random choice of an item: the labelled object (`shape` 0–3, moving at `direction` · 45°
 * with `speed` px/frame), 0+ distractors, the background. Draw order is fixed, so a plan is a pure
 * function of the stream's state.
 */
export function planSyntheticItem(variant: SyntheticVariant, rng: RandomStream, shape: number, direction: number, speed: number): SyntheticPlan {
  const side = Math.min(variant.height, variant.width);
  const backgroundMean: Rgb = [uniform(rng, 50, 205), uniform(rng, 50, 205), uniform(rng, 50, 205)];
  const background = makeBackground(rng, variant, backgroundMean);
  const radius = side * uniform(rng, variant.objectSize[0], variant.objectSize[1]);
  const object = makeMover(rng, variant, shape, radius, (direction * Math.PI) / 4, speed, contrastingColour(rng, backgroundMean, variant.contrast));
  const count = rng.nextInt(variant.distractors[0], variant.distractors[1]);
  const distractors: Mover[] = [];
  for (let k = 0; k < count; k++) {
    const kind = rng.nextInt(RING, ELLIPSE);
    const size = radius * uniform(rng, 0.45, 0.7);
    const pace = variant.speeds[rng.nextInt(0, variant.speeds.length - 1)];
    const colour = contrastingColour(rng, backgroundMean, variant.contrast);
    distractors.push(makeMover(rng, variant, kind, size, uniform(rng, 0, 2 * Math.PI), pace, colour));
  }
  return { object, distractors, background };
}
