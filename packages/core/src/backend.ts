import * as tf from '@tensorflow/tfjs-core';
import { firstLine, smokeTest } from './backend-checks';
import { ensureGradients } from './gradients';
import { fail, optionKeys } from '@vjepa/base';
import { setNativeKernels, type AcceleratorInfo, type AcceleratorRequest } from './accel/native';
import { loadAccelerator } from './accel/load';
import { registerWebGpu, type WebGpuAdapter } from './backend-webgpu';
import { DAWN_PACKAGE, SWIFTSHADER_HINT, explainSyncReads, nodeGpu } from './backend-webgpu-node';

/**
 * Backends a user can ask for. `auto` prefers a native TensorFlow backend, then wasm, then cpu; `webgpu`
 * (Dawn's Node bindings) is taken only when asked for by name.
 */
export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** What `selectBackend` chose, and why. */
export interface BackendChoice {
  /** Fast kernels active on top of the backend. */
  accelerator: AcceleratorInfo;
  /** The tfjs backend now active: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** For `webgpu`: the adapter it runs on. */
  adapter?: WebGpuAdapter;
  /** What was asked for. */
  requested: BackendRequest;
  /** For `tensorflow`: which native package provided it (`@tensorflow/tfjs-node-gpu` or `-node`). */
  provider?: string;
  /** One sentence saying why this backend was chosen. */
  reason: string;
  /** Every candidate that was tried and did not load, with the reason. */
  rejected: { candidate: string; reason: string }[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * `auto` (default; the `VJEPA_ACCELERATOR` environment variable overrides it) uses the native kernels
   * on wasm when `@vjepa/accelerate` is installed and its addon was built; `native` makes their absence
   * an error; `none` keeps tfjs's own kernels (the plain path).
   */
  accelerator?: AcceleratorRequest;
  /**
   * Threads of the native kernels' own pool, the calling one included (default: the `VJEPA_THREADS`
   * environment variable, else the CPUs this process may run on, at most 8). The BLAS itself always
   * runs single-threaded; the pool splits its products, attention, LayerNorm, GELU and the optimiser.
   */
  threads?: number;
}

const ACCELERATORS: readonly AcceleratorRequest[] = ['auto', 'native', 'none'];

function environment(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name];
}

const NO_ACCELERATOR: AcceleratorInfo = { name: 'none', reason: 'the native kernels run on the wasm backend only' };

/** Every backend `selectBackend` takes in Node. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

async function trySetBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  await smokeTest();
}

async function tryNative(rejected: BackendChoice['rejected']): Promise<string | undefined> {
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps bundlers from resolving these optional peers at build time.
      const specifier: string = pkg;
      await import(specifier);
      await trySetBackend('tensorflow');
      return pkg;
    } catch (error) {
      rejected.push({ candidate: pkg, reason: firstLine(error) });
    }
  }
  return undefined;
}

/** The backend packages `@vjepa/core` loads at run time: optional peers, installed by the app that picks them. */
const BACKEND_PACKAGES = { wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu', webgpu: '@tensorflow/tfjs-backend-webgpu' } as const;

/** Imports a backend package, or says which optional peer to install. */
async function importBackend(name: keyof typeof BACKEND_PACKAGES): Promise<void> {
  try {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    else await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    const pkg = BACKEND_PACKAGES[name];
    throw new Error(`${pkg} is not installed (an optional peer of @vjepa/core: npm install ${pkg}@4.22.0): ${firstLine(error)}`);
  }
}

async function tryBuiltIn(name: 'wasm' | 'cpu', rejected: BackendChoice['rejected']): Promise<boolean> {
  try {
    await importBackend(name);
    await trySetBackend(name);
    return true;
  } catch (error) {
    rejected.push({ candidate: name, reason: firstLine(error) });
    return false;
  }
}

/** WebGPU through Dawn's Node bindings (the optional package `webgpu`), on any adapter, software ones included. */
async function tryWebGpu(rejected: BackendChoice['rejected']): Promise<WebGpuAdapter | undefined> {
  try {
    await importBackend('webgpu');
    const gpu = await nodeGpu();
    const adapter = await registerWebGpu(gpu, false, `${DAWN_PACKAGE} gave no navigator.gpu`).catch((error: unknown) => {
      const text = firstLine(error);
      throw new Error(/found no adapter/.test(text) ? `${text}: ${SWIFTSHADER_HINT}` : text);
    });
    await trySetBackend('webgpu');
    explainSyncReads(tf.backend());
    return adapter;
  } catch (error) {
    rejected.push({ candidate: 'webgpu', reason: firstLine(error) });
    return undefined;
  }
}

/** The error for a named backend that did not load, with every reason. */
function notLoaded(requested: BackendRequest, rejected: BackendChoice['rejected'], advice: string): Error {
  return new Error(
    `backend: '${requested}' requested but it could not be initialised (${rejected.map((r) => `${r.candidate}: ${r.reason}`).join('; ')}). ${advice}`,
  );
}

/** Every key of {@link SelectBackendOptions}. */
const SELECT_BACKEND_KEYS: readonly string[] = optionKeys<SelectBackendOptions>({ accelerator: true, threads: true });

/**
 * Selects and initialises a tfjs backend and registers gradients.
 *
 * `auto` loads `@tensorflow/tfjs-node-gpu` when it is installed and works, else `@tensorflow/tfjs-node`,
 * else wasm, else cpu. `webgpu` runs on Dawn's Node bindings (the optional package `webgpu`) and any
 * adapter they find, software ones (SwiftShader) included; `auto` does not try it in Node, where loading
 * Dawn costs time and logs driver warnings on machines without a GPU (compare first with `vjepa bench
 * --backends webgpu,wasm`). On webgpu, train with `VjepaTrainStep.runAsync`: tensors there cannot be read
 * synchronously in Node. Every backend package is an optional peer of `@vjepa/core`, imported when it is
 * picked; nothing here installs one. Asking for a specific backend that cannot load is an error.
 *
 * @example
 * const choice = await selectBackend('auto');
 * console.log(`${choice.backend}: ${choice.reason}`);
 */
export async function selectBackend(requested: BackendRequest = 'auto', options: SelectBackendOptions = {}): Promise<BackendChoice> {
  if (!BACKEND_REQUESTS.includes(requested)) fail('backend', `one of ${BACKEND_REQUESTS.join(', ')}`, requested);
  const unknown = Object.keys(options).filter((key) => !SELECT_BACKEND_KEYS.includes(key));
  if (unknown.length) fail('options', `only the keys ${SELECT_BACKEND_KEYS.join(', ')}`, unknown.join(', '));
  const accelerator = options.accelerator ?? (environment('VJEPA_ACCELERATOR') as AcceleratorRequest | undefined) ?? 'auto';
  if (!ACCELERATORS.includes(accelerator)) fail('accelerator', `one of ${ACCELERATORS.join(', ')}`, accelerator);
  const fromEnvironment = environment('VJEPA_THREADS') ?? environment('VJEPA_BLAS_THREADS'); // the older name still works
  const threads = options.threads ?? (fromEnvironment === undefined ? undefined : Number(fromEnvironment));
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) fail('threads', 'a positive integer', threads);
  ensureGradients();
  const rejected: BackendChoice['rejected'] = [];
  if (requested === 'auto' || requested === 'tensorflow') {
    const provider = await tryNative(rejected);
    if (provider) {
      const reason = `${provider} is installed and ran a test op`;
      setNativeKernels(null, NO_ACCELERATOR);
      return { backend: 'tensorflow', requested, provider, reason, rejected, accelerator: NO_ACCELERATOR };
    }
    if (requested === 'tensorflow') throw notLoaded(requested, rejected, 'Install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, or use --backend wasm.');
  }
  if (requested === 'webgpu') {
    const adapter = await tryWebGpu(rejected);
    if (!adapter) throw notLoaded(requested, rejected, `Install ${DAWN_PACKAGE}@0.6.2 and @tensorflow/tfjs-backend-webgpu@4.22.0 and a GPU driver, or use --backend wasm.`);
    setNativeKernels(null, NO_ACCELERATOR);
    return { backend: 'webgpu', requested, adapter, reason: `webgpu was requested; it runs on ${adapter.description}`, rejected, accelerator: NO_ACCELERATOR };
  }
  const order: ('wasm' | 'cpu')[] = requested === 'cpu' ? ['cpu'] : requested === 'wasm' ? ['wasm'] : ['wasm', 'cpu'];
  for (const name of order) {
    if (await tryBuiltIn(name, rejected)) {
      const reason =
        requested === 'auto'
          ? `no native TensorFlow backend loaded; ${name} is the fastest backend available`
          : `${name} was requested`;
      const info = name === 'wasm' ? await loadAccelerator(accelerator, threads) : NO_ACCELERATOR;
      if (name !== 'wasm') setNativeKernels(null, info);
      return { backend: name, requested, reason, rejected, accelerator: info };
    }
  }
  if (requested !== 'auto') throw notLoaded(requested, rejected, `Install ${BACKEND_PACKAGES[order[0]]}@4.22.0, or pick another --backend.`);
  throw new Error(
    `backend: no tfjs backend could be initialised (${rejected.map((r) => `${r.candidate}: ${r.reason}`).join('; ')}). Install @tensorflow/tfjs-backend-wasm@4.22.0.`,
  );
}
