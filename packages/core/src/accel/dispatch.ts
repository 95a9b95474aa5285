import type { NativeKernels } from '@vjepa/base';
import { activeNativeKernels } from './native';

/**
 * The one place that picks "native when loaded, else the reference". Runs `native` with the addon's
 * kernels when they are loaded, turned on (`useNativeKernels`) and the active backend is wasm, and
 * the operands qualify (`accepts`: float32, a supported layout); otherwise `reference`, the plain tfjs
 * composition that the native kernel is tested against. Every fused op in `accel/kernels/` and
 * `@vjepa/optim`'s gradient clipping choose their path through it.
 *
 * @example
 * const y = nativeOrReference(x.dtype === 'float32', () => tf.engine().runKernel(GELU, { x }) as tf.Tensor, () => geluReference(x));
 */
export function nativeOrReference<T>(accepts: boolean, native: (kernels: NativeKernels) => T, reference: () => T): T {
  const kernels = activeNativeKernels();
  return kernels !== null && accepts ? native(kernels) : reference();
}
