// End to end on WebGPU: builds the page, opens it in Debian's Chromium with SwiftShader as the WebGPU
// adapter (`--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader`, a CPU implementation of Vulkan
// shipped with Chromium, so this runs without a GPU), on `?backend=webgpu`, and checks that
// - the official-code parity of fixtures/reference/tiny.safetensors (outputs, gradients, three training
//   steps, the probe) passes in the page, as `vjepa parity` does in Node;
// - the page's "train" control trains on webgpu and its losses equal Node's for the same steps.
// - the same control on wasm, 20 steps, also equal to Node (its screenshot is the README's train.png).
// Where Chromium finds no WebGPU adapter, the WebGPU tests say so in their names and are skipped.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '@vjepa/core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { expectForwardParity, expectProbeParity, expectTrainingParity } from '../../../packages/official/src/parity/expectations.test-util';
import { trainSmallModel } from '../src/train-run';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Apart from page.e2e.test.ts's dist/: both files build the page, maybe at the same time.
const OUT = join(root, 'test-results', 'dist-webgpu');
const TRAIN_STEPS = 2;

let server: PreviewServer | undefined;
let browser: BrowserContext | undefined;
let profile: string | undefined;
const consoleLines: string[] = [];

/** Opens the page on `backend` without the sample clip; the backend line, or why the backend did not load. */
async function open(page: Page, backend: string): Promise<{ line: string } | { skip: string }> {
  await page.goto(`${server!.resolvedUrls!.local[0]}?backend=${backend}&sample=none`, { timeout: 120_000 });
  await page.waitForFunction(() => window.vjepa?.status === 'idle' || window.vjepa?.status === 'error', null, { timeout: 120_000 });
  const state = await page.evaluate(() => ({ ...window.vjepa, line: document.getElementById('backend-line')!.textContent ?? '' }));
  return state.status === 'error' ? { skip: `no WebGPU adapter in Chromium here (${state.error})` } : { line: state.line };
}

/** Clicks "train" for `steps` steps and waits for the run; what the page reports. */
async function trainOnPage(page: Page, steps: number) {
  await page.fill('#train-steps', String(steps));
  await page.click('#train');
  await page.waitForFunction(() => window.vjepaTrain.status === 'done' || window.vjepaTrain.status === 'error', null, { timeout: 600_000 });
  const trained = await page.evaluate(() => window.vjepaTrain);
  expect(trained.error, consoleLines.join('\n')).toBeUndefined();
  expect(trained).toMatchObject({ status: 'done', featureShape: [64, 48] });
  expect(trained.stepsPerS).toBeGreaterThan(0);
  expect(await page.textContent('#train-line')).toMatch(new RegExp(`^step ${steps}/${steps} · loss \\d\\.\\d{5} · \\d+\\.\\d\\d steps/s on ${trained.backend} · done$`));
  return trained;
}

/** Node's losses for the same run (wasm here), each within 1e-4 of the page's. */
async function expectNodeLosses(losses: number[], steps: number): Promise<void> {
  await selectBackend('wasm');
  const node = await trainSmallModel(steps);
  node.clip.dispose();
  node.models.encoder.dispose();
  node.models.predictor.dispose();
  node.models.targetEncoder.dispose();
  expect(losses).toHaveLength(steps);
  losses.forEach((loss, i) => expect(Math.abs(loss - node.losses[i])).toBeLessThanOrEqual(1e-4));
}

/** Builds and serves the page, opens Chromium with SwiftShader as its WebGPU adapter. */
async function launch(): Promise<Page> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install chromium\` (.ci/run does) or set CHROMIUM_PATH.`);
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true } });
  server = await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: OUT }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview gave no local URL');
  profile = mkdtempSync(join(tmpdir(), 'vjepa-web-webgpu-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1240, height: 1000 },
    timeout: 120_000,
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  return page;
}

const page = await launch();
const webgpu = await open(page, 'webgpu');

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe.skipIf('skip' in webgpu)(`examples/web on webgpu in Chromium (${'skip' in webgpu ? webgpu.skip : webgpu.line})`, () => {
  it('selects webgpu from the address (?backend=webgpu), on the software adapter too', async () => {
    expect(await page.evaluate(() => window.vjepa.backend)).toBe('webgpu');
    expect(await page.textContent('#backend-line')).toMatch(/^webgpu — webgpu was requested/);
  });

  it('passes the parity of tiny.safetensors in the page: outputs, gradients, three training steps, the probe', async () => {
    const config = JSON.parse(readFileSync(fixture.replace(/\.safetensors$/, '.json'), 'utf8')) as object;
    const base64 = readFileSync(fixture).toString('base64');
    const comparison = await page.evaluate(([b, c]) => window.vjepaParity(b, c as never, ['forward', 'train', 'probe']), [base64, config] as const);
    const report = { file: 'tiny.safetensors', backend: 'webgpu', accelerator: 'none' as const, ...comparison };
    expect(report.failures, consoleLines.join('\n')).toEqual([]);
    expectForwardParity(report);
    expectTrainingParity(report);
    expectProbeParity(report);
    expect(report.unchecked).toEqual([]);
    expect(report.ok).toBe(true);
  }, 600_000);

  it(`trains with the "train" control on webgpu, with the same losses as Node for ${TRAIN_STEPS} steps`, async () => {
    const trained = await trainOnPage(page, TRAIN_STEPS);
    expect(trained.backend).toBe('webgpu');
    await page.screenshot({ path: join(root, 'test-results', 'train-webgpu.png'), fullPage: true });
    await expectNodeLosses(trained.losses, TRAIN_STEPS);
  }, 600_000);
});

describe('examples/web: the "train" control on wasm', () => {
  it('trains 20 steps on wasm (?backend=wasm) with the same losses as Node, and saves the screenshot', async () => {
    expect(await open(page, 'wasm')).toEqual({ line: expect.stringMatching(/^wasm — wasm was requested/) });
    const trained = await trainOnPage(page, 20);
    expect(trained.backend).toBe('wasm');
    await page.locator('#train-box').screenshot({ path: join(root, 'test-results', 'train.png') });
    await expectNodeLosses(trained.losses, 20);
  }, 600_000);
});
