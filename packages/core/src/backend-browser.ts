/**
 * Backend selection for browsers: WebGPU, then WebGL, then wasm, then cpu. The browser entry of
 * `@vjepa/core` exports this `selectBackend` in place of the Node one (which loads the native TensorFlow
 * packages instead), so nothing here may import a Node built-in.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { firstLine, smokeTest } from './backend-checks';
import { fail, optionKeys } from '@vjepa/base';
import { registerWebGpu, type GpuLike, type WebGpuAdapter } from './backend-webgpu';

/** Backends a browser user can ask for. `auto` prefers WebGPU, then WebGL, then wasm, then cpu. */
export type BrowserBackendRequest = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The three binaries of `@tensorflow/tfjs-backend-wasm`; the backend loads the one the browser supports. */
export type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Options of the browser `selectBackend`. */
export interface BrowserBackendOptions {
  /**
   * Where the app serves the wasm binaries, passed to tfjs-backend-wasm's `setWasmPaths`: a URL prefix
   * ending in `/`, or one URL per binary (e.g. Vite's `import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'`).
   * Without it the backend looks for them beside the bundle. Nothing is fetched from a CDN.
   */
  wasmPaths?: string | Partial<Record<WasmBinaryName, string>>;
}

/** What the browser `selectBackend` chose, and why. */
export interface BrowserBackendChoice {
  /** The tfjs backend now active: `webgpu`, `webgl`, `wasm` or `cpu`. */
  backend: string;
  /** For `webgpu`: the adapter it runs on. */
  adapter?: WebGpuAdapter;
  /** What was asked for. */
  requested: BrowserBackendRequest;
  /** One sentence saying why this backend was chosen. */
  reason: string;
  /** Every candidate that was tried and did not load, with the reason. */
  rejected: { candidate: string; reason: string }[];
}

type Candidate = Exclude<BrowserBackendRequest, 'auto'>;

const REQUESTS: readonly BrowserBackendRequest[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const OPTION_KEYS: readonly string[] = optionKeys<BrowserBackendOptions>({ wasmPaths: true });
const WASM_BINARIES: readonly WasmBinaryName[] = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];


function checkOptions(options: BrowserBackendOptions): void {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) fail(`options.${key}`, `one of the known options (${OPTION_KEYS.join(', ')})`, key);
  }
  const { wasmPaths } = options;
  if (wasmPaths === undefined || typeof wasmPaths === 'string') return;
  if (typeof wasmPaths !== 'object' || wasmPaths === null) fail('options.wasmPaths', 'a URL prefix or a map of binary names to URLs', wasmPaths);
  for (const [name, url] of Object.entries(wasmPaths)) {
    if (!WASM_BINARIES.includes(name as WasmBinaryName)) fail(`options.wasmPaths.${name}`, `one of ${WASM_BINARIES.join(', ')}`, name);
    if (typeof url !== 'string') fail(`options.wasmPaths.${name}`, 'a URL string', url);
  }
}

/** The WebGL renderer when it is a software one (SwiftShader, llvmpipe): slower than wasm on the same CPU. */
function softwareWebGl(): string | undefined {
  const doc = (globalThis as { document?: { createElement(tag: 'canvas'): { getContext(kind: 'webgl2'): WebGlLike | null } } }).document;
  const gl = doc?.createElement('canvas').getContext('webgl2');
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? renderer : undefined;
}

/** The parts of a WebGL2 context used here. */
interface WebGlLike {
  RENDERER: number;
  getExtension(name: string): unknown;
  getParameter(name: number): unknown;
}

async function tryCandidate(name: Candidate, options: BrowserBackendOptions, auto: boolean): Promise<WebGpuAdapter | undefined> {
  let adapter: WebGpuAdapter | undefined;
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
    adapter = await registerWebGpu(gpu, auto, 'navigator.gpu is missing: this browser has no WebGPU');
  } else if (name === 'webgl') {
    const software = auto ? softwareWebGl() : undefined;
    if (software !== undefined) throw new Error(`WebGL runs on a software renderer (${software}), slower than wasm; ask for 'webgl' to use it anyway`);
    await import('@tensorflow/tfjs-backend-webgl');
  }
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  await smokeTest();
  return adapter;
}

/**
 * Selects and initialises a tfjs backend in a browser (the browser build of `@vjepa/core`'s
 * `selectBackend`; gradients are registered when the browser build loads).
 *
 * `auto` tries WebGPU (when `navigator.gpu` finds an adapter), then WebGL, then wasm, then cpu, and
 * keeps the first that initialises and computes a test op; a software WebGPU adapter or WebGL renderer
 * (SwiftShader, llvmpipe: many times slower than wasm on the same CPU) is passed over. Asking for a specific backend that cannot
 * load is an error. The wasm binaries are loaded from `options.wasmPaths`, which should point at files
 * the app itself serves.
 *
 * @example
 * import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
 * const choice = await selectBackend('auto', { wasmPaths: { 'tfjs-backend-wasm-simd.wasm': simd } });
 * console.log(`${choice.backend}: ${choice.reason}`);
 */
export async function selectBackend(
  requested: BrowserBackendRequest = 'auto',
  options: BrowserBackendOptions = {},
): Promise<BrowserBackendChoice> {
  if (!REQUESTS.includes(requested)) fail('backend', `one of ${REQUESTS.join(', ')}`, requested);
  checkOptions(options);
  const rejected: BrowserBackendChoice['rejected'] = [];
  const order: Candidate[] = requested === 'auto' ? ['webgpu', 'webgl', 'wasm', 'cpu'] : [requested];
  for (const name of order) {
    let adapter: WebGpuAdapter | undefined;
    try {
      adapter = await tryCandidate(name, options, requested === 'auto');
    } catch (error) {
      rejected.push({ candidate: name, reason: firstLine(error) });
      continue;
    }
    const reason =
      requested === 'auto'
        ? rejected.length === 0
          ? `${name} is the first choice and initialised`
          : `${name} is the fastest backend that initialised here`
        : `${name} was requested`;
    return adapter ? { backend: name, requested, adapter, reason, rejected } : { backend: name, requested, reason, rejected };
  }
  throw new Error(
    `backend: ${requested === 'auto' ? 'no tfjs backend' : `'${requested}' requested but it`} could not be initialised (${rejected
      .map((r) => `${r.candidate}: ${r.reason}`)
      .join('; ')})`,
  );
}
