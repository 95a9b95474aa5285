/**
 * Painting a planned synthetic clip: a textured object of one of four shapes glides in one of eight
 * directions at constant speed over a textured background, wrapping around the frame edges (a torus, so
 * the direction never changes and the start position is uniform), in front of smaller distractors that
 * move their own ways. Edges are anti-aliased from signed distances, so sub-pixel motion is smooth;
 * textures move with their objects.
 *
 * @packageDocumentation
 */
import { fail, type RandomStream } from '@vjepa/core';
import { BAR, RING, type Background, type Mover, type SyntheticPlan, type Texture } from './synthetic-plan';
import type { SyntheticVariant } from './synthetic-variants';

/** Signed distance (pixels, negative inside) from local point (u, v) to the shape; equal areas for ids 0–3. */
function signedDistance(mover: Mover, u: number, v: number): number {
  const r = mover.radius;
  switch (mover.shape) {
    case 0: // square, side 2 · 0.886 r
      return Math.max(Math.abs(u), Math.abs(v)) - 0.886 * r;
    case 1: // circle
      return Math.sqrt(u * u + v * v) - r;
    case 2: // equilateral triangle pointing up, inradius 0.7776 r, centroid at the centre
      return Math.max(v, 0.866 * u - 0.5 * v, -0.866 * u - 0.5 * v) - 0.7776 * r;
    case 3: {
      // plus sign, arm half-length 1.189 r, half-width a third of that
      const long = 1.189 * r;
      const thin = long / 3;
      const au = Math.abs(u);
      const av = Math.abs(v);
      return Math.min(Math.max(au - long, av - thin), Math.max(au - thin, av - long));
    }
    case RING:
      return Math.abs(Math.sqrt(u * u + v * v) - r) - 0.25 * r;
    case BAR: {
      const along = u * mover.cos + v * mover.sin;
      const across = -u * mover.sin + v * mover.cos;
      return Math.max(Math.abs(along) - 1.3 * r, Math.abs(across) - 0.22 * r);
    }
    default: {
      const along = (u * mover.cos + v * mover.sin) / 1.2;
      const across = (-u * mover.sin + v * mover.cos) / 0.55;
      return (Math.sqrt(along * along + across * across) - 1) * 0.55 * r;
    }
  }
}

/** Texture value q ∈ [0, 1] at local (u, v). */
function textureValue(texture: Texture, u: number, v: number): number {
  const along = (u * texture.cos + v * texture.sin) * texture.omega + texture.phase;
  if (texture.kind === 0) return 0.5 + 0.5 * Math.sin(along);
  if (texture.kind === 1) {
    const across = (-u * texture.sin + v * texture.cos) * texture.omega;
    return 0.5 + 0.5 * Math.sin(along) * Math.sin(across);
  }
  return 0.5 + 0.5 * Math.sin(Math.sqrt(u * u + v * v) * texture.omega + texture.phase);
}

/**
 * Where the labelled object is at frame `t`, given its straight path `along(τ)` (its centre at time τ of
 * the unaltered clip): the violation-of-expectation pairs bend, cut or hide the path after an event.
 * `alternate` draws the render's alternate object (another shape, another digit) instead.
 */
export type ObjectPath = (t: number, along: (tau: number) => { x: number; y: number }) => { x: number; y: number; visible: boolean; alternate: boolean };

/** Paints `mover` centred at (cx, cy) over `canvas` (H·W·3 float), optionally recording its coverage in `mask`. */
function paintMover(mover: Mover, cx: number, cy: number, canvas: Float32Array, height: number, width: number, mask: Float32Array | null, maskOffset: number): void {
  const reach = 1.6 * mover.radius + 1.5;
  const { c1, c2 } = mover.texture;
  for (let y = Math.floor(cy - reach); y <= Math.ceil(cy + reach); y++) {
    const row = (((y % height) + height) % height) * width;
    const v = y - cy;
    for (let x = Math.floor(cx - reach); x <= Math.ceil(cx + reach); x++) {
      const u = x - cx;
      const coverage = Math.min(1, Math.max(0, 0.5 - signedDistance(mover, u, v)));
      if (coverage === 0) continue;
      const pixel = row + (((x % width) + width) % width);
      const q = textureValue(mover.texture, u, v);
      const o = pixel * 3;
      canvas[o] += coverage * (c1[0] + (c2[0] - c1[0]) * q - canvas[o]);
      canvas[o + 1] += coverage * (c1[1] + (c2[1] - c1[1]) * q - canvas[o + 1]);
      canvas[o + 2] += coverage * (c1[2] + (c2[2] - c1[2]) * q - canvas[o + 2]);
      if (mask !== null) mask[maskOffset + pixel] = Math.max(mask[maskOffset + pixel], coverage);
    }
  }
}

/** Fills `canvas` with the background at frame `t` (shifted by the drift). */
function paintBackground(background: Background, t: number, canvas: Float32Array, height: number, width: number): void {
  const { low, high, waves, cloud, cloudSize, cell, strength } = background;
  const shiftX = background.dx * t;
  const shiftY = background.dy * t;
  for (let y = 0; y < height; y++) {
    const Y = y - shiftY;
    const gy = Y / cell;
    const fy = Math.floor(gy);
    const wy = gy - fy;
    const r0 = (((fy % cloudSize) + cloudSize) % cloudSize) * cloudSize;
    const r1 = ((((fy + 1) % cloudSize) + cloudSize) % cloudSize) * cloudSize;
    for (let x = 0; x < width; x++) {
      const X = x - shiftX;
      const gx = X / cell;
      const fx = Math.floor(gx);
      const wx = gx - fx;
      const c0 = ((fx % cloudSize) + cloudSize) % cloudSize;
      const c1 = (c0 + 1) % cloudSize;
      const top = cloud[r0 + c0] + (cloud[r0 + c1] - cloud[r0 + c0]) * wx;
      const bottom = cloud[r1 + c0] + (cloud[r1 + c1] - cloud[r1 + c0]) * wx;
      let p = top + (bottom - top) * wy;
      for (const wave of waves) p += wave.weight * Math.sin(wave.kx * X + wave.ky * Y + wave.phase);
      const q = 0.5 + strength * p;
      const o = (y * width + x) * 3;
      canvas[o] = low[0] + (high[0] - low[0]) * q;
      canvas[o + 1] = low[1] + (high[1] - low[1]) * q;
      canvas[o + 2] = low[2] + (high[2] - low[2]) * q;
    }
  }
}

/** The `flat` background: the colour the textured one has at q = ½, the mean of its two colours. */
function paintFlat(background: Background, canvas: Float32Array): void {
  const { low, high } = background;
  for (let o = 0; o < canvas.length; o += 3) {
    canvas[o] = (low[0] + high[0]) / 2;
    canvas[o + 1] = (low[1] + high[1]) / 2;
    canvas[o + 2] = (low[2] + high[2]) / 2;
  }
}

/** The `noise` background of one frame: a fresh uniform q per pixel between the background's two colours. */
function paintNoise(background: Background, canvas: Float32Array, rng: RandomStream): void {
  const { low, high } = background;
  for (let o = 0; o < canvas.length; o += 3) {
    const q = rng.nextFloat();
    canvas[o] = low[0] + (high[0] - low[0]) * q;
    canvas[o + 1] = low[1] + (high[1] - low[1]) * q;
    canvas[o + 2] = low[2] + (high[2] - low[2]) * q;
  }
}

/** A mover's centre at frame `t` of its straight path. */
const straight = (mover: Mover) => (tau: number) => ({ x: mover.x0 + mover.vx * tau, y: mover.y0 + mover.vy * tau });

/**
 * Renders a plan into `(T, H, W, 3)` uint8 frames, adding per-frame uniform noise of amplitude
 * `variant.noise` from `noiseRng`. With `mask`, also returns the labelled object's coverage `(T, H, W)`.
 * With `path`, the labelled object follows it instead of its straight line (`alternate`, when the path
 * asks for it, is drawn in its place); the noise streams are the same, so two paths that agree on a frame
 * give that frame the same bytes.
 */
export function renderSyntheticPlan(
  variant: SyntheticVariant,
  plan: SyntheticPlan,
  noiseRng: RandomStream,
  withMask = false,
  options: { path?: ObjectPath; alternate?: Mover } = {},
): { frames: Uint8Array; mask: Float32Array | null } {
  const { numFrames, height, width, noise } = variant;
  const pixels = height * width;
  const frames = new Uint8Array(numFrames * pixels * 3);
  const mask = withMask ? new Float32Array(numFrames * pixels) : null;
  const canvas = new Float32Array(pixels * 3);
  const kind = variant.background ?? 'textured';
  const backgroundRng = noiseRng.fork('background');
  const still = kind === 'noise' || (kind === 'textured' && (plan.background.dx !== 0 || plan.background.dy !== 0)) ? null : new Float32Array(pixels * 3);
  if (still !== null) {
    if (kind === 'flat') paintFlat(plan.background, still);
    else paintBackground(plan.background, 0, still, height, width);
  }
  for (let t = 0; t < numFrames; t++) {
    if (still !== null) canvas.set(still);
    else if (kind === 'noise') paintNoise(plan.background, canvas, backgroundRng);
    else paintBackground(plan.background, t, canvas, height, width);
    for (const distractor of plan.distractors) paintMover(distractor, distractor.x0 + distractor.vx * t, distractor.y0 + distractor.vy * t, canvas, height, width, null, 0);
    const along = straight(plan.object);
    const pose = options.path ? options.path(t, along) : { ...along(t), visible: true, alternate: false };
    const object = pose.alternate ? (options.alternate ?? fail('alternate', 'a mover to draw when the path asks for it', undefined)) : plan.object;
    if (pose.visible) paintMover(object, pose.x, pose.y, canvas, height, width, mask, t * pixels);
    const base = t * pixels * 3;
    for (let k = 0; k < canvas.length; k += 4) {
      const bits = noise > 0 ? noiseRng.nextUint32() : 0;
      for (let j = 0; j < 4 && k + j < canvas.length; j++) {
        const jitter = noise > 0 ? (((bits >>> (8 * j)) & 255) / 127.5 - 1) * noise : 0;
        const value = Math.round(canvas[k + j] + jitter);
        frames[base + k + j] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return { frames, mask };
}
