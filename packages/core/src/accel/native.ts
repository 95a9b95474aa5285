import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernels } from '@vjepa/base';

/** Whether to use the native kernels of `@vjepa/accelerate` on wasm: `auto` when they load, `native` or fail, `none`. */
export type AcceleratorRequest = 'auto' | 'native' | 'none';

/** The fast kernels in use on top of the tfjs backend. */
export interface AcceleratorInfo {
  /** `native`: the `@vjepa/accelerate` addon's kernels run on the wasm heap; `none`: tfjs's own kernels. */
  name: 'native' | 'none';
  /** One sentence: what is active, or why the native kernels are not (and what would turn them on). */
  reason: string;
  /** With the native kernels: the threads of the addon's pool in use, the calling one included. */
  threads?: number;
}

// Which native kernels are loaded and whether they are on. `selectBackend` sets them; the dispatcher
// (`dispatch.ts`) and the kernel functions read them. The interface itself is `@vjepa/base`'s.
let kernels: NativeKernels | null = null;
let enabled = true;
let info: AcceleratorInfo = { name: 'none', reason: 'selectBackend() has not been called' };

/** Installs (or removes, with null) the native kernels that the fused ops run on wasm. */
export function setNativeKernels(next: NativeKernels | null, why: AcceleratorInfo): void {
  kernels = next;
  info = why;
}

/** The accelerator state as `selectBackend` reports it. */
export function acceleratorInfo(): AcceleratorInfo {
  return info;
}

/**
 * Turns the native kernels off (false) or back on (true, when loaded) for the ops that follow: the
 * fused ops then run their plain tfjs reference. For tests and `vjepa parity --accelerator none`.
 */
export function useNativeKernels(on: boolean): void {
  enabled = on;
}

/** The native kernels when they are loaded, enabled and the active backend is wasm; else null. */
export function activeNativeKernels(): NativeKernels | null {
  return kernels !== null && enabled && tf.getBackend() === 'wasm' ? kernels : null;
}

/** The loaded kernels regardless of the active backend (for kernel functions, which run on wasm). */
export function loadedNativeKernels(): NativeKernels {
  if (kernels === null) throw new Error('vjepa: a native kernel ran without native kernels loaded');
  return kernels;
}
