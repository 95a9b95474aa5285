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

/** A frame with one tubelet step of a mask on top: context as is, targets red, tokens in neither dark. */
export function drawMaskedFrame(canvas: HTMLCanvasElement, frame: ImageData, roles: Uint8Array, step: number): void {
  const context = canvas.getContext('2d')!;
  context.putImageData(frame, 0, 0);
  for (let row = 0; row < SIDE; row++) {
    for (let column = 0; column < SIDE; column++) {
      const role = roles[step * SIDE * SIDE + row * SIDE + column];
      if (role === 1) continue;
      context.fillStyle = role === 2 ? 'rgba(200, 20, 40, 0.8)' : 'rgba(0, 0, 0, 0.8)';
      context.fillRect(column * PATCH, row * PATCH, PATCH, PATCH);
      // a thin grid line keeps the tokens apart where neighbours have the same role
      context.strokeStyle = 'rgba(255, 255, 255, 0.25)';
      context.strokeRect(column * PATCH + 0.5, row * PATCH + 0.5, PATCH - 1, PATCH - 1);
    }
  }
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
