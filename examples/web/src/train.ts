import * as tf from '@tensorflow/tfjs-core';
import { pcaToRgb } from './pca';
import { TRAIN_SETUP, trainSmallModel, type TrainProgress } from './train-run';

// The page's "train" control: pretrains the small model on synthetic clips on the page's backend, with a
// live loss curve and steps/s, then shows the trained encoder's features (PCA → RGB per tubelet step).

/** What the training run did, for a headless check. */
export interface TrainResult {
  status: 'idle' | 'running' | 'done' | 'error';
  error?: string;
  backend?: string;
  losses: number[];
  stepsPerS?: number;
  /** Tokens × width of the trained encoder's features on the first clip. */
  featureShape?: [number, number];
}

declare global {
  interface Window {
    vjepaTrain: TrainResult;
  }
}

const CURVE = { width: 480, height: 140 };

function drawCurve(canvas: HTMLCanvasElement, losses: number[]): void {
  const context = canvas.getContext('2d')!;
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = '#ccc';
  context.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
  if (losses.length === 0) {
    // before a run: say what the box will show, rather than leave it blank
    context.fillStyle = '#888';
    context.font = '13px system-ui';
    context.textAlign = 'center';
    context.fillText('the loss per step appears here once "train" runs', canvas.width / 2, canvas.height / 2);
    context.textAlign = 'start';
    return;
  }
  const high = Math.max(...losses);
  const low = Math.min(...losses);
  const span = high - low || 1;
  context.strokeStyle = '#2a6fdb';
  context.lineWidth = 2;
  context.beginPath();
  losses.forEach((loss, i) => {
    const x = 8 + ((canvas.width - 16) * i) / Math.max(1, losses.length - 1);
    const y = 8 + ((canvas.height - 16) * (high - loss)) / span;
    if (i === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  });
  context.stroke();
  context.fillStyle = '#555';
  context.font = '11px system-ui';
  context.fillText(`${high.toFixed(4)}`, 4, 12);
  context.fillText(`${low.toFixed(4)}`, 4, canvas.height - 4);
}

/** One tubelet step of per-token RGB (`tokens · 3`) on a `side × side` grid, scaled up. */
function tokenImage(rgb: Uint8ClampedArray, step: number, side: number): HTMLCanvasElement {
  const small = new ImageData(side, side);
  for (let p = 0; p < side * side; p++) {
    small.data.set(rgb.subarray((step * side * side + p) * 3, (step * side * side + p) * 3 + 3), p * 4);
    small.data[p * 4 + 3] = 255;
  }
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.getContext('2d')!.putImageData(small, 0, 0);
  canvas.style.width = canvas.style.height = '72px';
  return canvas;
}

/** Adds the train control under the page's facts; `backend` is the page's active backend. */
export function mountTrainer(backend: () => string): void {
  window.vjepaTrain = { status: 'idle', losses: [] };
  const box = document.createElement('section');
  box.id = 'train-box';
  box.innerHTML = `
    <h3>train</h3>
    <p>Pretrains a small V-JEPA (encoder ${TRAIN_SETUP.encoder.dim} wide, ${TRAIN_SETUP.encoder.depth} deep; ${TRAIN_SETUP.dataset} clips of
    ${TRAIN_SETUP.encoder.frames} × ${TRAIN_SETUP.encoder.imageSize} × ${TRAIN_SETUP.encoder.imageSize}, batch ${TRAIN_SETUP.batch}, the official recipe and masks, seed ${TRAIN_SETUP.seed}) on this page's backend.</p>
    <label>steps <input id="train-steps" type="number" min="1" step="1" value="20" /></label>
    <button id="train" type="button">train</button>
    <span id="train-line"></span>
    <div><canvas id="train-curve" width="${CURVE.width}" height="${CURVE.height}"></canvas></div>
    <div id="train-features" class="cells"></div>`;
  document.getElementById('facts')!.after(box);
  const line = box.querySelector<HTMLSpanElement>('#train-line')!;
  const curve = box.querySelector<HTMLCanvasElement>('#train-curve')!;
  const features = box.querySelector<HTMLDivElement>('#train-features')!;
  const button = box.querySelector<HTMLButtonElement>('#train')!;
  drawCurve(curve, []);
  button.addEventListener('click', () => {
    const steps = Number(box.querySelector<HTMLInputElement>('#train-steps')!.value);
    button.disabled = true;
    window.vjepaTrain = { status: 'running', backend: backend(), losses: [] };
    const losses: number[] = [];
    const onStep = ({ step, loss, stepsPerS }: TrainProgress) => {
      losses.push(loss);
      drawCurve(curve, losses);
      line.textContent = `step ${step + 1}/${steps} · loss ${loss.toFixed(5)} · ${stepsPerS.toFixed(2)} steps/s on ${backend()}`;
      window.vjepaTrain = { ...window.vjepaTrain, losses: [...losses], stepsPerS };
    };
    run(steps, onStep, features)
      .then((featureShape) => {
        window.vjepaTrain = { ...window.vjepaTrain, status: 'done', featureShape };
        line.textContent += ' · done';
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        window.vjepaTrain = { ...window.vjepaTrain, status: 'error', error: message };
        line.textContent = `error: ${message}`;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}

/** Trains, then draws the trained encoder's features on the first clip; returns their shape. */
async function run(steps: number, onStep: (progress: TrainProgress) => void, into: HTMLElement): Promise<[number, number]> {
  const { models, clip } = await trainSmallModel(steps, onStep);
  try {
    const output = tf.tidy(() => tf.squeeze(tf.slice(models.encoder.apply(clip), [0, 0, 0], [1, -1, -1]), [0])); // [N, D]
    const [tokens, dim] = output.shape as [number, number];
    const values = (await output.data()) as Float32Array;
    output.dispose();
    const rgb = pcaToRgb(values, tokens, dim);
    const { frames, tubelet, imageSize, patch } = TRAIN_SETUP.encoder;
    const side = imageSize / patch;
    into.replaceChildren(...Array.from({ length: frames / tubelet }, (_, step) => tokenImage(rgb, step, side)));
    return [tokens, dim];
  } finally {
    clip.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  }
}
