// End to end: builds the page, serves it on 127.0.0.1, opens it in Debian's Chromium (headless, through
// playwright-core; no browser is downloaded), lets it run the sample clip, then checks what it shows against
// the packages run here in Node: the mask ratios of every generator for the same seed, and the encoder's
// features for the same clip and weights (to 1e-4). Saves a screenshot to examples/web/test-results/page.png
// (the README's screenshot.png is a copy of one).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, serializeSafetensors, type SafeTensorInput } from '@vjepa/core';
import { PixelDecoder } from '@vjepa/decoder';
import { Predictor } from '@vjepa/predictor';
import { readPretrainedStateDict } from '@vjepa/torch-format';
import { LONG_RANGE_MASK, MaskCollator, SHORT_RANGE_MASK, maskStatistics } from '@vjepa/masking';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { decodeMaskConfig, whatThePredictorSees } from '../src/predictor-row';
import { buildVjepa2Classifier, classifyVjepa2Video, openHfVjepa2Files, readAll, type Vjepa2Classifier } from '@vjepa/official/vjepa2';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pytorchFixtures = fileURLToPath(new URL('../../../fixtures/pytorch/', import.meta.url));
const vjepa2Fixtures = fileURLToPath(new URL('../../../fixtures/vjepa2/', import.meta.url));
const randomExample = fileURLToPath(new URL('../../vjepa2-random/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SEED = 0;

let server: PreviewServer | undefined;
let browser: BrowserContext | undefined;
let page: Page;
let profile: string | undefined;
const consoleLines: string[] = [];

/** The page's numbers after its run for `seed` (and with weights whose line contains `weights`), once done; an error fails. */
async function pageResult(seed: number, weights = '') {
  await page.waitForFunction(
    ([s, w]) => window.vjepa?.status === 'error' || (window.vjepa?.status === 'done' && window.vjepa.seed === s && window.vjepa.weights!.includes(w as string)),
    [seed, weights] as const,
    { timeout: 240_000 },
  );
  const result = await page.evaluate(() => ({ ...window.vjepa, clipBase64: undefined, featuresBase64: undefined }));
  if (result.status === 'error') throw new Error(`the page failed: ${result.error}\n${consoleLines.join('\n')}`);
  return result;
}

async function pageFloats(name: 'clipBase64' | 'featuresBase64' | 'predictorClipBase64'): Promise<Float32Array> {
  const text = await page.evaluate((key) => window.vjepa[key]!(), name);
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** The masks the page should show for `seed`: the same collator run here. */
function nodeMasks(seed: number) {
  const collator = new MaskCollator({
    seed,
    generators: [SHORT_RANGE_MASK, LONG_RANGE_MASK, { type: 'tube', ratio: 0.9 }],
    grid: { frames: 16, crop: 224, patch: 16, tubelet: 2 },
  });
  return collator.sample(1).map(maskStatistics);
}

/** Runs `encoder` here on the page's clip and returns the largest difference from the page's features; disposes the encoder. */
async function largestDifference(encoder: VisionTransformer, clip: Float32Array, features: Float32Array): Promise<number> {
  await selectBackend('wasm');
  const output = tf.tidy(() => encoder.apply(tf.tensor5d(clip, [1, 16, 224, 224, 3])));
  const expected = (await output.data()) as Float32Array;
  output.dispose();
  encoder.dispose();
  expect(features.length).toBe(expected.length);
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(features[i] - expected[i]));
  return largest;
}

/** Drops the file at `path` on the page, as a user drags it from the desktop (a `drop` event carrying a File). */
async function dropFile(path: string): Promise<void> {
  const name = path.split('/').pop()!;
  const base64 = readFileSync(path).toString('base64');
  await page.evaluate(
    ([fileName, data]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], fileName));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [name, base64] as const,
  );
}

/** Drops several files at once, as a user drags a folder's files from the desktop. */
async function dropFiles(paths: string[]): Promise<void> {
  const files = paths.map((path) => [path.split('/').pop()!, readFileSync(path).toString('base64')] as const);
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const [fileName, data] of list) transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], fileName));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

/** A Hugging Face classifier folder's `files` read whole here, as the page reads the same files dropped. */
function readFolderWeights(folder: string, files: string[]) {
  const opened = openHfVjepa2Files(new Map(files.map((name) => [name, new Uint8Array(readFileSync(join(folder, name)))])), {}, folder);
  try {
    return { arch: opened.arch, source: folder, labels: opened.arch.labels, encoder: readAll(opened.encoder!), probe: readAll(opened.probe!) };
  } finally {
    opened.close();
  }
}

/** Waits for the classifier panel's run; what it shows, with the frames it read. */
async function pageClassification(timeout: number) {
  await page.waitForFunction(() => window.vjepaClassify?.status === 'done' || window.vjepaClassify?.status === 'error', null, { timeout, polling: 1000 });
  const shown = await page.evaluate(() => ({ ...window.vjepaClassify!, segmentFramesBase64: undefined, frames: window.vjepaClassify!.segmentFramesBase64?.() }));
  if (shown.status === 'error') throw new Error(`the page failed: ${shown.error}\n${consoleLines.join('\n')}`);
  return shown;
}

/**
 * Runs `classifier` here (wasm) on the frames the page read, by the same protocol, and expects the page's
 * segments, top 5 and probabilities (each within `tolerance`); disposes the classifier.
 */
async function expectNodeClassifiesAsThePage(classifier: Vjepa2Classifier, shown: Awaited<ReturnType<typeof pageClassification>>, tolerance: number, what: string) {
  const reads = shown.frames!.map((text) => new Uint8Array(Buffer.from(text, 'base64')));
  const { numFrames, height, width } = shown.video!;
  const result = await classifyVjepa2Video(classifier, {
    name: 'page frames',
    numFrames,
    read: async (indices) => {
      const at = shown.segments!.findIndex((segment) => segment.join() === indices.join());
      expect(at).toBeGreaterThanOrEqual(0);
      return { frames: reads[at], height, width };
    },
  });
  classifier.dispose();
  expect(result.segments).toEqual(shown.segments);
  expect(shown.top!.map((p) => p.index)).toEqual(result.top.map((p) => p.index));
  expect(shown.top!.map((p) => p.label)).toEqual(result.top.map((p) => p.label));
  let largest = 0;
  for (let i = 0; i < result.probabilities.length; i++) largest = Math.max(largest, Math.abs(shown.probabilities![i] - result.probabilities[i]));
  console.log(`page vs Node class probabilities (${what}): max |difference| ${largest.toExponential(2)} over ${result.probabilities.length} classes`);
  expect(largest).toBeLessThan(tolerance);
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(1)} %`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Install it with \`apt-get install chromium\` (.ci/run does) or set CHROMIUM_PATH.`);
  }
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  server = await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview gave no local URL');
  profile = mkdtempSync(join(tmpdir(), 'vjepa-web-chromium-'));
  // A fresh profile (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1240, height: 1000 },
    timeout: 120_000,
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  await page.goto(url, { timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('examples/web in Chromium', () => {
  it('runs the sample clip on load, shows the mask ratios of @vjepa/masking for the same seed, and saves a screenshot', async () => {
    const result = await pageResult(SEED);
    expect(result.decoder).toBe('WebCodecs');
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(result.backend);
    expect(result.frameIndices).toHaveLength(16);
    const expected = nodeMasks(SEED);
    expect(result.masks!.map(({ name, ...stats }) => stats)).toEqual(expected);
    const shown = await page.$$eval('section.mask .heading p', (elements) => elements.map((e) => e.textContent));
    expect(shown).toEqual(
      expected.map(
        (s) => `context ${percent(s.effectiveContextFraction)} (${s.contextLength} tokens) · target ${percent(s.maskedFraction)} (${s.targetLength} tokens) of ${s.tokenCount}`,
      ),
    );
    expect(await page.textContent('#timings-line')).toMatch(/^sampling \d+ ms · masking \d+ ms · encode \d+ ms · picture \d+ ms \(backend \w+\)$/);
    await page.screenshot({ path: join(root, 'test-results', 'page.png'), fullPage: true });
  }, 300_000);

  it("computes the same encoder features as Node for the same clip and weights (to 1e-4)", async () => {
    await pageResult(SEED);
    const clip = await pageFloats('clipBase64');
    const features = await pageFloats('featuresBase64');
    expect(clip.length).toBe(16 * 224 * 224 * 3);
    await selectBackend('wasm');
    const encoder = new VisionTransformer(vitConfig('tiny', { frames: 16, imageSize: 224 }), { seed: 0 });
    const largest = await largestDifference(encoder, clip, features);
    console.log(`page vs Node features: max |difference| ${largest.toExponential(2)} over ${features.length} values`);
    expect(largest).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('encodes with a dropped .safetensors encoder (official key prefixes) as Node does with the same weights', async () => {
    await pageResult(SEED);
    const clip = await pageFloats('clipBase64');
    await selectBackend('wasm');
    const encoder = new VisionTransformer(vitConfig('tiny', { frames: 16, imageSize: 224, depth: 2 }), { seed: 5 });
    const tensors: Record<string, SafeTensorInput> = {};
    for (const [key, value] of encoder.stateDict()) tensors[`module.backbone.${key}`] = { dtype: 'F32', shape: value.shape, data: value.dataSync() as Float32Array };
    const file = join(profile!, 'encoder-depth2.safetensors');
    writeFileSync(file, serializeSafetensors(tensors));
    await page.setInputFiles('#weights-file', file);
    const result = await pageResult(SEED, 'encoder-depth2.safetensors');
    expect(result.weights).toBe('encoder-depth2.safetensors: ViT 192 wide, 2 deep, 3 heads');
    const largest = await largestDifference(encoder, clip, await pageFloats('featuresBase64'));
    expect(largest).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('encodes with a dropped official .pth.tar checkpoint (target_encoder, read by @vjepa/torch-format) as Node does', async () => {
    // The fixture's encoder is 48 wide (no official size), so the page is told its heads in the address.
    await page.goto(`${server!.resolvedUrls!.local[0]}?heads=4`, { timeout: 120_000 });
    await pageResult(SEED);
    const clip = await pageFloats('clipBase64');
    await dropFile(join(pytorchFixtures, 'tiny-pretrain.pth.tar'));
    const result = await pageResult(SEED, 'tiny-pretrain.pth.tar');
    expect(result.weights).toBe('tiny-pretrain.pth.tar (target_encoder): ViT 48 wide, 2 deep, 4 heads; patch 8, positions of 8 frames × 24 px interpolated to the clip');
    expect(result.featureShape).toEqual([8 * 28 * 28, 48]);
    // Node: the same checkpoint read from its path, into the fixture's config (fixtures/reference/tiny.json).
    await selectBackend('wasm');
    const encoder = new VisionTransformer({ dim: 48, depth: 2, heads: 4, patch: 8, tubelet: 2, frames: 8, imageSize: 24 });
    encoder.loadStateDict(readPretrainedStateDict(join(pytorchFixtures, 'tiny-pretrain.pth.tar')).state);
    const largest = await largestDifference(encoder, clip, await pageFloats('featuresBase64'));
    console.log(`page vs Node features, tiny-pretrain.pth.tar: max |difference| ${largest.toExponential(2)}`);
    expect(largest).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it('decodes the same frames with the <video> + canvas fallback (?decoder=video)', async () => {
    await pageResult(SEED);
    const webCodecsClip = await pageFloats('clipBase64');
    const frameIndices = (await pageResult(SEED)).frameIndices;
    await page.goto(`${server!.resolvedUrls!.local[0]}?decoder=video`, { timeout: 120_000 });
    const result = await pageResult(SEED);
    expect(result.decoder).toBe('<video> + canvas');
    expect(await page.textContent('#video-line')).toMatch(/: 100 frames at 320 × 240, decoded with <video> \+ canvas/);
    expect(result.frameIndices).toEqual(frameIndices);
    const fallbackClip = await pageFloats('clipBase64');
    let sum = 0;
    for (let i = 0; i < fallbackClip.length; i++) sum += Math.abs(fallbackClip[i] - webCodecsClip[i]);
    const mean = sum / fallbackClip.length;
    console.log(`<video> + canvas vs WebCodecs clip: mean |difference| ${mean.toExponential(2)} (normalised units)`);
    // Measured 0.14 (about 8/255 of the range): the two paths upsample chroma and convert colour differently,
    // evenly over all frames (the signed mean stays near 0); a wrong or garbled frame differs far more.
    expect(mean).toBeLessThan(0.25);
  }, 300_000);

  it('decodes and encodes a video file the user picks', async () => {
    // WebCodecs (the default decoder) returns the same frames every time; the <video> fallback seeks, and
    // a seek under load may land on a neighbouring frame, so the exact comparison uses WebCodecs.
    await page.goto(server!.resolvedUrls!.local[0], { timeout: 120_000 });
    await pageResult(SEED);
    const before = await pageFloats('clipBase64');
    await page.setInputFiles('#video-file', join(root, 'public', 'sample.webm'));
    await page.waitForFunction(() => document.getElementById('video-line')!.textContent!.startsWith('sample.webm: '), null, { timeout: 240_000 });
    await pageResult(SEED);
    expect(await page.textContent('#video-line')).toMatch(/^sample\.webm: 100 frames at 320 × 240, decoded with WebCodecs/);
    expect(Array.from(await pageFloats('clipBase64'))).toEqual(Array.from(before));
  }, 300_000);

  it('regenerates the masks for a seed the user types', async () => {
    await page.fill('#seed', '7');
    await page.dispatchEvent('#seed', 'change');
    const result = await pageResult(7);
    expect(result.masks!.map(({ name, ...stats }) => stats)).toEqual(nodeMasks(7));
    expect(nodeMasks(7)).not.toEqual(nodeMasks(SEED));
  }, 300_000);

  it('refuses a dropped malicious checkpoint, showing an error that names posix.system', async () => {
    await pageResult(7);
    await dropFile(join(pytorchFixtures, 'malicious.pth'));
    await page.waitForFunction(() => window.vjepa?.status === 'error', null, { timeout: 60_000 });
    const error = await page.evaluate(() => window.vjepa.error!);
    expect(error).toMatch(/^malicious\.pth: .*posix\.system/);
    expect(await page.textContent('#status')).toBe(`error: ${error}`);
  }, 300_000);

  it('shows what the predictor sees for a dropped run and decoder, with the masked error Node gives on the same clip', async () => {
    // a run's encoder and predictor (ViT-tiny of depth 1 on 16 × 32 × 32 clips) and a decoder, as their checkpoints save them
    await selectBackend('wasm');
    const encoder = new VisionTransformer(vitConfig('tiny', { frames: 16, imageSize: 32, depth: 1 }), { seed: 3 });
    const predictor = new Predictor({ encoderDim: 192, dim: 24, depth: 1, heads: 3, frames: 16, imageSize: 32, patch: 16, tubelet: 2 }, { seed: 3 });
    const decoder = new PixelDecoder({ inputDim: 192, dim: 24, depth: 1, heads: 3, frames: 16, imageSize: 32, patch: 16 }, { seed: 4 });
    const files = Object.entries({ encoder, predictor, decoder }).map(([name, module]) => {
      const tensors: Record<string, SafeTensorInput> = {};
      for (const [key, value] of module.stateDict()) tensors[key] = { dtype: 'F32', shape: value.shape, data: value.dataSync() as Float32Array };
      const file = join(mkdtempSync(join(tmpdir(), 'vjepa-web-decoder-')), `${name}.safetensors`);
      writeFileSync(file, serializeSafetensors(tensors));
      return file;
    });
    await page.goto(`${server!.resolvedUrls!.local[0]}?decode-mask=future`, { timeout: 120_000 });
    await pageResult(SEED);
    await page.setInputFiles('#decoder-files', files);
    await page.waitForFunction(() => window.vjepa?.status === 'error' || (window.vjepa?.status === 'done' && window.vjepa.predictorView !== undefined), null, { timeout: 240_000 });
    const result = await pageResult(SEED);
    expect(result.predictorView).toMatchObject({ mask: 'future', tokenCount: 8 * 2 * 2, targetTokens: 14 }); // 90 % of the 16 tokens of the later half
    expect(await page.$$eval('section.predictor', (rows) => rows.length)).toBe(3);
    // Node: the same models on the page's clip and the same mask
    const clip = await pageFloats('predictorClipBase64');
    const view = whatThePredictorSees({ encoder, predictor, decoder, description: '', dispose: () => undefined }, clip, SEED, decodeMaskConfig('future').config);
    expect(Math.abs(view.maskedL1 - result.predictorView!.maskedL1)).toBeLessThan(1e-4);
    expect(view.meanColourL1).toBeCloseTo(result.predictorView!.meanColourL1, 5);
    for (const module of [encoder, predictor, decoder]) module.dispose();
    await page.screenshot({ path: join(root, 'test-results', 'predictor-rows.png'), fullPage: true });
  }, 300_000);

  it('classifies the clip with a dropped Hugging Face V-JEPA 2 classifier: the top 5 and probabilities Node gives on the same frames', async () => {
    await page.goto(server!.resolvedUrls!.local[0], { timeout: 120_000 });
    await pageResult(SEED);
    const folder = join(vjepa2Fixtures, 'tiny-hf-classifier');
    await dropFiles([join(folder, 'config.json'), join(folder, 'model.safetensors')]);
    const shown = await pageClassification(120_000);
    expect(shown.protocol).toEqual({ resolution: 16, frames: 8, frameStep: 4, segments: 1, views: 1, outLayers: null });
    expect(shown.top).toHaveLength(5);
    const rows = await page.$$eval('#classifier-top tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(shown.top!.map((p, rank) => [String(rank + 1), `${(100 * p.probability).toFixed(2)} %`, p.label]));
    await page.screenshot({ path: join(root, 'test-results', 'classifier.png'), fullPage: false });
    // Node: the same classifier on the frames the page read (its decoder's pixels), by the same protocol
    await selectBackend('wasm');
    const classifier = buildVjepa2Classifier(readFolderWeights(folder, ['config.json', 'model.safetensors']));
    await expectNodeClassifiesAsThePage(classifier, shown, 1e-5, 'tiny classifier');
  });

  it('classifies a real H.264 video with a full-size ViT-L V-JEPA 2 classifier (random weights, a 751 MB F16 folder of our writer) as Node does', async () => {
    // The released SSv2 classifier's sizes (ViT-L/16, 24 blocks, 174 classes; F16 as the Hugging Face release),
    // written by writeRandomVjepa2Classifier; one clip of its protocol (16 × 4 frames at 256 px, one
    // segment, one view: `?classify-segments=1&classify-views=1`), 2,048 tokens through the encoder.
    const work = mkdtempSync(join(tmpdir(), 'vjepa-web-vitl-'));
    try {
      const folder = join(work, 'classifier');
      // the project's writer, as a user runs it (examples/vjepa2-random; a Node script, so not imported in this browser-typed file)
      execFileSync(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', 'main.ts', '--out', folder, '--size', 'vitl', '--dtype', 'F16'], { cwd: randomExample, stdio: 'ignore' });
      const files = ['config.json', 'model.safetensors'];
      const video = join(work, 'testsrc2.mp4');
      execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '100', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', video]);
      await page.goto(`${server!.resolvedUrls!.local[0]}?sample=none&backend=wasm&classify-segments=1&classify-views=1`, { timeout: 120_000 });
      await page.waitForFunction(() => window.vjepa?.status === 'idle' || window.vjepa?.status === 'error', null, { timeout: 120_000 });
      await page.setInputFiles('#video-file', video);
      await pageResult(SEED, '');
      await page.setInputFiles('#classifier-files', files.map((name) => join(folder, name)));
      const shown = await pageClassification(900_000);
      expect(shown.protocol).toEqual({ resolution: 256, frames: 16, frameStep: 4, segments: 1, views: 1, outLayers: null });
      expect(shown.video).toEqual({ numFrames: 100, height: 240, width: 320 });
      expect(shown.top).toHaveLength(5);
      console.log(`page, full-size ViT-L classifier: read ${shown.timings!.read} ms, frames ${shown.timings!.frames} ms, models ${shown.timings!.model} ms`);
      await page.screenshot({ path: join(root, 'test-results', 'classifier-vitl.png'), fullPage: false });
      await selectBackend('wasm');
      const weights = readFolderWeights(folder, files);
      expect(weights.arch.encoder).toMatchObject({ dim: 1024, depth: 24, heads: 16 });
      expect(weights.arch.probe).toMatchObject({ heads: 16, classes: 174 });
      await expectNodeClassifiesAsThePage(buildVjepa2Classifier(weights, { segments: 1, views: 1 }), shown, 1e-6, 'full-size ViT-L');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 1_500_000);
});
