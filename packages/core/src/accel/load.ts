import type { NativeLoad } from '@vjepa/base';
import { firstLine } from '../backend-checks';
import { setNativeKernels, type AcceleratorInfo, type AcceleratorRequest } from './native';
import { registerNativeKernels } from './register';

const ACCELERATE_PACKAGE = '@vjepa/accelerate';

/** Records that the native kernels are off, and why; throws when they were required. */
function without(request: AcceleratorRequest, reason: string, why: string): AcceleratorInfo {
  const info: AcceleratorInfo = { name: 'none', reason };
  setNativeKernels(null, info);
  if (request === 'native') throw new Error(`accelerator: 'native' requested but ${why}`);
  return info;
}

/** `@vjepa/accelerate`'s loader result, or why the package itself is missing. */
async function importAccelerate(): Promise<NativeLoad> {
  try {
    const specifier: string = ACCELERATE_PACKAGE; // a variable keeps bundlers from resolving the optional package
    const mod = (await import(specifier)) as { loadNativeKernels(): NativeLoad };
    return mod.loadNativeKernels();
  } catch (error) {
    // It is an optional dependency of @vjepa/core: missing means the package manager skipped it
    // (--omit=optional, --no-optional, an offline mirror without it), not that the app forgot to add it.
    return {
      kernels: null,
      reason: `${ACCELERATE_PACKAGE}, an optional dependency of @vjepa/core, was not installed (the package manager skipped it: --omit=optional or --no-optional); reinstall without that flag to get the native kernels (${firstLine(error)})`,
    };
  }
}

/**
 * Loads the native kernels for the wasm backend, registers them with tfjs and turns them on, or says
 * why not (an error when `request` is `native`). `selectBackend` calls it once wasm is active; `threads`
 * sizes the addon's thread pool (undefined: its default).
 */
export async function loadAccelerator(request: AcceleratorRequest, threads?: number): Promise<AcceleratorInfo> {
  if (request === 'none') return without(request, 'the native kernels were turned off (accelerator: none)', '');
  const inNode = Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
  if (!inNode) {
    const reason = "tfjs's own wasm kernels: the native kernels are for Node only";
    return without(request, reason, reason);
  }
  const loaded = await importAccelerate();
  if (loaded.kernels === null) return without(request, `slow path: tfjs's own wasm kernels, because ${loaded.reason}`, loaded.reason);
  const used = loaded.kernels.setThreads(threads ?? 0); // 0: the addon's default, the CPUs this process may use
  registerNativeKernels();
  const info: AcceleratorInfo = {
    name: 'native',
    reason: `${loaded.reason}, ${used} thread(s) in the addon's pool (the BLAS single-threaded), on the wasm heap`,
    threads: used,
  };
  setNativeKernels(loaded.kernels, info);
  return info;
}
