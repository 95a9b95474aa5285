import { CROP, PATCH } from './settings';

/** Cell side on the page, in CSS pixels. */
export const CELL = 112;
const SIDE = CROP / PATCH;

export function cellCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = CROP;
  canvas.height = CROP;
  canvas.style.width = `${CELL}px`;
  canvas.style.height = `${CELL}px`;
  return canvas;
}

/**
 * A frame with one tubelet step of a mask on top: context tokens as they are; targets in red and tokens in
 * neither dark, both drawn over the frame's grey levels so that they read the same on any colour.
 */
export function drawMaskedFrame(canvas: HTMLCanvasElement, frame: ImageData, roles: Uint8Array, step: number): void {
  const out = new ImageData(new Uint8ClampedArray(frame.data), CROP, CROP);
  for (let y = 0; y < CROP; y++) {
    for (let x = 0; x < CROP; x++) {
      const role = roles[step * SIDE * SIDE + Math.floor(y / PATCH) * SIDE + Math.floor(x / PATCH)];
      if (role === 1) continue;
      const p = (y * CROP + x) * 4;
      const grey = 0.299 * out.data[p] + 0.587 * out.data[p + 1] + 0.114 * out.data[p + 2];
      const edge = x % PATCH === 0 || y % PATCH === 0; // a thin line between tokens
      if (role === 2) {
        out.data[p] = 0.35 * grey + 0.65 * 225 + (edge ? 20 : 0);
        out.data[p + 1] = 0.35 * grey + 0.65 * 30;
        out.data[p + 2] = 0.35 * grey + 0.65 * 45;
      } else {
        out.data[p] = out.data[p + 1] = out.data[p + 2] = 0.2 * grey + (edge ? 25 : 0);
      }
    }
  }
  canvas.getContext('2d')!.putImageData(out, 0, 0);
}

/** One tubelet step of per-token RGB bytes (`tokens · 3`), drawn as a 14 × 14 grid of flat squares. */
export function drawTokenImage(canvas: HTMLCanvasElement, rgb: Uint8ClampedArray, step: number): void {
  const small = new ImageData(SIDE, SIDE);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const token = step * SIDE * SIDE + p;
    small.data.set(rgb.subarray(token * 3, token * 3 + 3), p * 4);
    small.data[p * 4 + 3] = 255;
  }
  const scratch = document.createElement('canvas');
  scratch.width = SIDE;
  scratch.height = SIDE;
  scratch.getContext('2d')!.putImageData(small, 0, 0);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  context.drawImage(scratch, 0, 0, CROP, CROP);
}
