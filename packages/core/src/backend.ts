import * as tf from '@tensorflow/tfjs-core';
import { firstLine, smokeTest } from './backend-checks';
import { ensureGradients } from './gradients';
import { fail, optionKeys } from '@vjepa/base';
import { setNativeKernels, type AcceleratorInfo, type AcceleratorRequest } from './accel/native';
import { loadAccelerator } from './accel/load';

/** Backends a user can ask for. `auto` prefers a native TensorFlow backend, then wasm, then cpu. */
export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** What `selectBackend` chose, and why. */
export interface BackendChoice {
  /** Fast kernels active on top of the backend. */
  accelerator: AcceleratorInfo;
  /** The tfjs backend now active: `tensorflow`, `wasm` or `cpu`. */
  backend: string;
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
  /** BLAS threads of the native kernels (default 1, or `VJEPA_BLAS_THREADS`). */
  threads?: number;
}

const ACCELERATORS: readonly AcceleratorRequest[] = ['auto', 'native', 'none'];

function environment(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name];
}

const NO_ACCELERATOR: AcceleratorInfo = { name: 'none', reason: 'the native kernels run on the wasm backend only' };

/** Every backend `selectBackend` takes in Node. */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
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

async function tryBuiltIn(name: 'wasm' | 'cpu', rejected: BackendChoice['rejected']): Promise<boolean> {
  try {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    else await import('@tensorflow/tfjs-backend-cpu');
    await trySetBackend(name);
    return true;
  } catch (error) {
    rejected.push({ candidate: name, reason: firstLine(error) });
    return false;
  }
}

/** Every key of {@link SelectBackendOptions}. */
const SELECT_BACKEND_KEYS: readonly string[] = optionKeys<SelectBackendOptions>({ accelerator: true, threads: true });

/**
 * Selects and initialises a tfjs backend and registers gradients.
 *
 * `auto` loads `@tensorflow/tfjs-node-gpu` when it is installed and works, else `@tensorflow/tfjs-node`,
 * else wasm, else cpu. The native packages are optional peers, imported dynamically; nothing here
 * installs them. Asking for a specific backend that cannot load is an error.
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
  const threads = options.threads ?? Number(environment('VJEPA_BLAS_THREADS') ?? 1);
  if (!Number.isInteger(threads) || threads < 1) fail('threads', 'a positive integer', threads);
  ensureGradients();
  const rejected: BackendChoice['rejected'] = [];
  if (requested === 'auto' || requested === 'tensorflow') {
    const provider = await tryNative(rejected);
    if (provider) {
      const reason = `${provider} is installed and ran a test op`;
      setNativeKernels(null, NO_ACCELERATOR);
      return { backend: 'tensorflow', requested, provider, reason, rejected, accelerator: NO_ACCELERATOR };
    }
    if (requested === 'tensorflow') {
      throw new Error(
        `backend: 'tensorflow' requested but no native backend loads (${rejected
          .map((r) => `${r.candidate}: ${r.reason}`)
          .join('; ')}). Install @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, or use --backend wasm.`,
      );
    }
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
  throw new Error(
    `backend: no tfjs backend could be initialised (${rejected.map((r) => `${r.candidate}: ${r.reason}`).join('; ')})`,
  );
}
