import { selectBackend, type BackendRequest } from '@vjepa/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { sampleClip, type SampledClip } from './clip';
import { decodeVideo, type DecodedVideo } from './decode';
import { cellCanvas, drawMaskedFrame, drawTokenImage } from './draw';
import { encodeClip, encoderFromFile, randomEncoder, type LoadedEncoder } from './encoder';
import { percent, sampleMasks, type GeneratorMasks } from './masks';
import { pcaToRgb, rowNorms, viridis } from './pca';
import { decoderSetFromFiles, isDecoderSet, predictorRows, type DecoderSet, type PredictorRowsResult } from './predictor-row';
import { FRAMES, TUBELET } from './settings';
import { installParity } from './parity';
import { isHfClassifierDrop, mountClassifier } from './classify';
import { mountTrainer } from './train';

/** What the page computed last, for a headless check (and the curious, in the console). */
interface PageResult {
  status: 'running' | 'done' | 'error' | 'idle';
  error?: string;
  backend?: string;
  decoder?: string;
  weights?: string;
  seed?: number;
  frameIndices?: number[];
  masks?: { name: string; maskedFraction: number; effectiveContextFraction: number; contextLength: number; targetLength: number; tokenCount: number }[];
  timings?: Record<string, number>;
  featureShape?: [number, number];
  /** The clip the encoder saw and its features, as base64 of float32 bytes. */
  clipBase64?: () => string;
  featuresBase64?: () => string;
  /** The rows "what the predictor sees", when a decoder set was dropped. */
  predictorView?: PredictorRowsResult['view'];
  /** The clip of those rows (at the set's image size), as base64 of float32 bytes. */
  predictorClipBase64?: () => string;
}

declare global {
  interface Window {
    vjepa: PageResult;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const STEPS = FRAMES / TUBELET;

function base64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** A row of the grid: a heading with its details, then one cell per tubelet step. */
function row(title: string, detail: string, cells: HTMLElement[], className = ''): HTMLElement {
  const element = document.createElement('section');
  element.className = `row ${className}`;
  const heading = document.createElement('div');
  heading.className = 'heading';
  heading.innerHTML = `<h3></h3><p></p>`;
  heading.querySelector('h3')!.textContent = title;
  heading.querySelector('p')!.textContent = detail;
  const strip = document.createElement('div');
  strip.className = 'cells';
  strip.append(...cells);
  element.append(heading, strip);
  return element;
}

function figure(canvas: HTMLCanvasElement, caption: string): HTMLElement {
  const element = document.createElement('figure');
  const text = document.createElement('figcaption');
  text.textContent = caption;
  element.append(canvas, text);
  return element;
}

function showMasks(clip: SampledClip, generators: GeneratorMasks[]): HTMLElement[] {
  return generators.map((generator, g) => {
    const cells = Array.from({ length: STEPS }, (_, step) => {
      const canvas = cellCanvas();
      drawMaskedFrame(canvas, clip.pixels[step * TUBELET], generator.roles, step);
      return figure(canvas, `target ${percent(generator.targetShareByStep[step])}`);
    });
    const { stats } = generator;
    const detail = `context ${percent(stats.effectiveContextFraction)} (${stats.contextLength} tokens) · target ${percent(stats.maskedFraction)} (${stats.targetLength} tokens) of ${stats.tokenCount}`;
    const element = row(generator.name, detail, cells, 'mask');
    element.dataset.generator = String(g);
    element.dataset.context = String(stats.effectiveContextFraction);
    element.dataset.target = String(stats.maskedFraction);
    return element;
  });
}

class Page {
  private decoded?: DecodedVideo;
  private loaded?: LoadedEncoder;
  private decoderSet?: DecoderSet;
  private backend = '';

  /** The active backend, once selected. */
  get backendName(): string {
    return this.backend;
  }

  /** The decoded video, once there is one. */
  get decodedVideo(): DecodedVideo | undefined {
    return this.decoded;
  }
  private running: Promise<void> = Promise.resolve();

  async start(): Promise<void> {
    window.vjepa = { status: 'running' };
    const requested = (new URLSearchParams(location.search).get('backend') ?? 'auto') as BackendRequest;
    ($('backend') as HTMLSelectElement).value = requested;
    const choice = await selectBackend(requested, {
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
      },
    });
    this.backend = choice.backend;
    const rejected = choice.rejected.map((r) => `${r.candidate}: ${r.reason}`).join('; ');
    $('backend-line').textContent = `${choice.backend} — ${choice.reason}${rejected ? ` (not used: ${rejected})` : ''}`;
    this.loaded = randomEncoder();
    $('weights-line').textContent = this.loaded.weights;
    // ?sample=none: no sample clip on load (tests that only train or compare on a slow backend).
    if (new URLSearchParams(location.search).get('sample') === 'none') {
      window.vjepa = { status: 'idle', backend: this.backend };
      $('status').textContent = 'idle: no sample clip (?sample=none)';
      return;
    }
    const response = await fetch(`${import.meta.env.BASE_URL}sample.webm`);
    if (!response.ok) throw new Error(`sample.webm: HTTP ${response.status}`);
    await this.useVideo(await response.blob(), 'sample.webm (ffmpeg testsrc2, 320 × 240, 100 frames)');
  }

  async useVideo(file: Blob, name: string): Promise<void> {
    const start = performance.now();
    $('status').textContent = `decoding ${name}…`;
    this.decoded = await decodeVideo(file, name, new URLSearchParams(location.search).get('decoder') === 'video');
    const { method, fallbackReason, frames, width, height } = this.decoded;
    $('video-line').textContent = `${name}: ${frames.length} frames at ${width} × ${height}, decoded with ${method}${fallbackReason ? ` (WebCodecs not used: ${fallbackReason})` : ''} in ${since(start)} ms`;
    await this.run();
  }

  async useWeights(file: File): Promise<void> {
    const next = await encoderFromFile(file, new URLSearchParams(location.search).get('heads'));
    this.loaded?.encoder.dispose();
    this.loaded = next;
    $('weights-line').textContent = next.weights;
    await this.run();
  }

  async useDecoderSet(files: File[]): Promise<void> {
    const next = await decoderSetFromFiles(files, new URLSearchParams(location.search).get('decoder-heads'));
    this.decoderSet?.dispose();
    this.decoderSet = next;
    await this.run();
  }

  /** Samples the clip and the masks from the seed, encodes, draws. Calls queue up one after another. */
  run(): Promise<void> {
    this.running = this.running.then(() => this.runOnce()).catch((error) => this.fail(error));
    return this.running;
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    $('status').textContent = `error: ${message}`;
    window.vjepa = { ...window.vjepa, status: 'error', error: message };
  }

  private async runOnce(): Promise<void> {
    if (this.decoded === undefined || this.loaded === undefined) return;
    const seed = Number(($('seed') as HTMLInputElement).value);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed: expected a non-negative integer, received ${($('seed') as HTMLInputElement).value}`);
    window.vjepa = { ...window.vjepa, status: 'running' };
    $('status').textContent = `running with seed ${seed}…`;
    const timings: Record<string, number> = {};

    let start = performance.now();
    const clip = sampleClip(this.decoded, seed);
    timings.sampling = since(start);

    start = performance.now();
    const generators = sampleMasks(seed);
    timings.masking = since(start);

    start = performance.now();
    const { features, tokens, dim } = await encodeClip(this.loaded.encoder, clip.video);
    timings.encode = since(start);

    start = performance.now();
    const pca = pcaToRgb(features, tokens, dim);
    const norms = rowNorms(features, tokens, dim);
    const normColours = viridis(norms);
    const frames = Array.from({ length: STEPS }, (_, step) => {
      const canvas = cellCanvas();
      canvas.getContext('2d')!.putImageData(clip.pixels[step * TUBELET], 0, 0);
      return figure(canvas, `frames ${step * TUBELET}–${step * TUBELET + 1} · #${clip.frameIndices[step * TUBELET]}`);
    });
    const pcaCells = Array.from({ length: STEPS }, (_, step) => {
      const canvas = cellCanvas();
      drawTokenImage(canvas, pca, step);
      return figure(canvas, `step ${step}`);
    });
    const normCells = Array.from({ length: STEPS }, (_, step) => {
      const canvas = cellCanvas();
      drawTokenImage(canvas, normColours, step);
      const perStep = tokens / STEPS;
      const mean = norms.slice(step * perStep, (step + 1) * perStep).reduce((a, b) => a + b, 0) / perStep;
      return figure(canvas, `mean ‖f‖ ${mean.toFixed(3)}`);
    });
    const lowest = Math.min(...norms);
    const highest = Math.max(...norms);
    // Enough decimals that the two ends of the colour scale read differently (the norms are close to √D).
    const set = this.decoderSet;
    const video = set ? sampleClip(this.decoded, seed, set.encoder.config.imageSize).video : undefined;
    const predictor = set && video ? predictorRows(set, video, seed, new URLSearchParams(location.search).get('decode-mask'), { row, figure }) : { rows: [] };
    const decimals = Math.min(8, Math.max(3, Math.ceil(-Math.log10(highest - lowest || 1e-8)) + 1));
    $('grid').replaceChildren(
      row('clip', `16 frames of source frames ${clip.frameIndices[0]}–${clip.frameIndices[FRAMES - 1]} (official sampler, 16 × 4, window from seed ${seed}); one column per tubelet (2 frames)`, frames),
      ...showMasks(clip, generators),
      row('features: PCA → RGB', `first three principal components of the ${tokens} token features (${dim} wide), per tubelet step`, pcaCells),
      row('feature norm per token', `‖f‖ from ${lowest.toFixed(decimals)} (dark) to ${highest.toFixed(decimals)} (yellow); the final LayerNorm keeps it near √${dim}`, normCells),
      ...predictor.rows,
    );
    timings.picture = since(start);

    const line = Object.entries(timings).map(([name, ms]) => `${name} ${ms} ms`).join(' · ');
    $('timings-line').textContent = `${line} (backend ${this.backend})`;
    $('status').textContent = `done: seed ${seed}`;
    window.vjepa = {
      status: 'done',
      backend: this.backend,
      decoder: this.decoded.method,
      weights: this.loaded.weights,
      seed,
      frameIndices: clip.frameIndices,
      masks: generators.map(({ name, stats }) => ({ name, ...stats })),
      timings,
      featureShape: [tokens, dim],
      clipBase64: () => base64(clip.video),
      featuresBase64: () => base64(features),
      predictorView: predictor.view,
      predictorClipBase64: video ? () => base64(video) : undefined,
    };
  }
}

const page = new Page();
installParity();
mountTrainer(() => page.backendName);
const classifier = mountClassifier($('classifier'), () => page.backendName, () => page.decodedVideo);
$('classifier-files').addEventListener('change', (event) => {
  const files = [...((event.target as HTMLInputElement).files ?? [])];
  if (files.length) void classifier.use(files);
});
$('seed').addEventListener('change', () => void page.run());
$('resample').addEventListener('click', () => {
  const input = $('seed') as HTMLInputElement;
  input.value = String(Number(input.value) + 1);
  void page.run();
});
$('video-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) page.useVideo(file, file.name).then(classifier.refresh).catch((error) => page.fail(error));
});
$('weights-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) page.useWeights(file).catch((error) => page.fail(error));
});
$('decoder-files').addEventListener('change', (event) => {
  const files = [...((event.target as HTMLInputElement).files ?? [])];
  if (files.length) page.useDecoderSet(files).catch((error) => page.fail(error));
});
$('backend').addEventListener('change', (event) => {
  const url = new URL(location.href);
  url.searchParams.set('backend', (event.target as HTMLSelectElement).value);
  location.href = url.href;
});
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  const files = [...(event.dataTransfer?.files ?? [])];
  if (isHfClassifierDrop(files)) {
    void classifier.use(files);
    return;
  }
  if (isDecoderSet(files)) {
    page.useDecoderSet(files).catch((error) => page.fail(error));
    return;
  }
  const file = files[0];
  if (!file) return;
  const work = /\.(safetensors|pth|pt|tar)$/.test(file.name) ? page.useWeights(file) : page.useVideo(file, file.name).then(classifier.refresh);
  work.catch((error) => page.fail(error));
});
page.start().catch((error) => page.fail(error));
