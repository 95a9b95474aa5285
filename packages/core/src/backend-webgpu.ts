/**
 * The WebGPU backend, shared by the Node and browser `selectBackend`: finds an adapter on a
 * `navigator.gpu` (the browser's, or the one `backend-webgpu-node.ts` installs from Dawn's Node bindings),
 * requests a device with every limit the adapter offers and registers tfjs's WebGPU backend on it.
 * Nothing here may import a Node built-in.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWebGpuKernels } from './accel/register-webgpu';

/** The adapter `selectBackend` put the webgpu backend on. */
export interface WebGpuAdapter {
  /** The adapter's own description (`SwiftShader driver 5.0.0`, `NVIDIA H100 …`), or its vendor and architecture. */
  description: string;
  /** True for a software adapter (SwiftShader, lavapipe, llvmpipe, WARP): correct, but slower than wasm on the same CPU. */
  software: boolean;
}

/** The parts of `navigator.gpu` used here (the DOM typings are not part of this package's build). */
export interface GpuLike {
  requestAdapter(options: { powerPreference: string }): Promise<AdapterLike | null>;
}

/** The parts of a `GPUAdapter` used here. */
export interface AdapterLike {
  limits: object;
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestDevice(descriptor: object): Promise<DeviceLike>;
}

interface DeviceLike {
  addEventListener(type: string, listener: (event: { error?: { message?: string } }) => void): void;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|warp|software/i;

/** Validation errors the WebGPU device reported since the last {@link takeWebGpuErrors}. */
const deviceErrors: string[] = [];

/**
 * The validation errors the WebGPU device reported since the last call, and clears them. tfjs does not
 * check its own dispatches; a failed one (too many storage buffers, say) leaves garbage in its output
 * and surfaces only here, so `vjepa parity` fails on any.
 */
export function takeWebGpuErrors(): string[] {
  return deviceErrors.splice(0, deviceErrors.length);
}

/** What an adapter says about itself, in one line, and whether it is a software one. */
export function describeAdapter(adapter: AdapterLike): WebGpuAdapter {
  const info = adapter.info ?? {};
  const description =
    info.description || [info.vendor, info.architecture, info.device].filter((part) => part).join(' ') || 'an unnamed adapter';
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter;
  return { description, software: fallback === true || SOFTWARE.test(`${description} ${info.architecture ?? ''}`) };
}

/**
 * Registers the `webgpu` backend on the best adapter of `gpu`, with a device that gets every limit the
 * adapter offers: tfjs 4.22's own factory raises only a few, so ops with more than 8 storage buffers (an
 * `addN` of 8 tensors) fail or return garbage on the default limits. With `realOnly` (what `auto` asks),
 * a software adapter is refused, since wasm is faster on the same CPU.
 */
export async function registerWebGpu(gpu: GpuLike | undefined, realOnly: boolean, noGpu: string): Promise<WebGpuAdapter> {
  if (gpu === undefined) throw new Error(noGpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('navigator.gpu.requestAdapter() found no adapter (no GPU driver that WebGPU can use)');
  const described = describeAdapter(adapter);
  if (realOnly && described.software) {
    throw new Error(`the only WebGPU adapter is a software one (${described.description}), slower than wasm; ask for 'webgpu' to use it anyway`);
  }
  const { WebGPUBackend, webgpu_util } = await import('@tensorflow/tfjs-backend-webgpu');
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') requiredLimits[key] = value;
  }
  const requiredFeatures = ['timestamp-query'].filter((feature) => adapter.features.has(feature));
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  device.addEventListener('uncapturederror', (event) => {
    const message = `WebGPU error: ${event.error?.message ?? 'unknown'}`;
    deviceErrors.push(message);
    console.error(message);
  });
  // Every kernel on the GPU: tfjs otherwise hands ops on small CPU-held inputs to its CPU kernels.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, adapter.info as never), 3);
  registerWebGpuKernels(webgpu_util);
  return described;
}
