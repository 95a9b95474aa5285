import { firstLine } from './backend-checks';
import { describeAdapter, type GpuLike, type WebGpuAdapter } from './backend-webgpu';

/** The optional package with Dawn's Node bindings (prebuilt for linux-x64/arm64, macOS and Windows). */
export const DAWN_PACKAGE = 'webgpu';

/** How a user gets a WebGPU adapter in Node on a machine without a GPU driver: Chromium's SwiftShader. */
export const SWIFTSHADER_HINT =
  'no GPU driver found; on a machine without a GPU, SwiftShader (shipped with Chromium) gives a slow software adapter: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json';

let installed: GpuLike | undefined;

/**
 * `navigator.gpu` in Node: the one already there (Deno, a test harness), else one created from the
 * optional `webgpu` package, whose WebGPU classes (`GPUBufferUsage`, …) become globals as in a browser
 * (existing globals are left alone). Throws, naming the package, when it is not installed or does not load.
 */
export async function nodeGpu(): Promise<GpuLike> {
  const navigator = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (navigator?.gpu !== undefined) return navigator.gpu;
  if (installed !== undefined) return installed;
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    const specifier: string = DAWN_PACKAGE; // a variable keeps bundlers from resolving the optional package
    dawn = (await import(specifier)) as typeof dawn;
  } catch (error) {
    throw new Error(`the optional package ${DAWN_PACKAGE} (Dawn's WebGPU for Node) is not installed or does not load: ${firstLine(error)}`);
  }
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const gpu = dawn.create([]);
  if (navigator !== undefined) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  installed = gpu;
  return gpu;
}

/**
 * Whether `selectBackend('webgpu')` would find an adapter in Node, without switching backends: the
 * adapter's description, or why there is none (the `webgpu` package missing, no GPU driver). What
 * `vjepa doctor` prints.
 *
 * @example
 * const found = await findWebGpuAdapter();
 * console.log('adapter' in found ? found.adapter.description : found.reason);
 */
export async function findWebGpuAdapter(): Promise<{ adapter: WebGpuAdapter } | { reason: string }> {
  try {
    const adapter = await (await nodeGpu()).requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) return { reason: `navigator.gpu.requestAdapter() found no adapter: ${SWIFTSHADER_HINT}` };
    return { adapter: describeAdapter(adapter) };
  } catch (error) {
    return { reason: firstLine(error) };
  }
}

/**
 * Makes a synchronous read on the Node webgpu backend fail with a message that says what to do: tfjs
 * reads webgpu tensors synchronously through an `OffscreenCanvas`, which Node lacks ("OffscreenCanvas
 * is not defined" otherwise). A tensor already copied to the host (`await tensor.data()`,
 * `downloadForSyncReads`) is read from that copy, as tfjs does.
 */
export function explainSyncReads(backend: object): void {
  const readSync = (backend as { readSync(dataId: object): unknown }).readSync;
  Object.defineProperty(backend, 'readSync', {
    configurable: true,
    writable: true,
    value: function (this: { tensorMap: { get(dataId: object): { values?: unknown } | undefined } }, dataId: object) {
      if (this.tensorMap.get(dataId)?.values != null) return readSync.call(this, dataId);
      throw new Error(
        'webgpu in Node cannot read a tensor synchronously (dataSync, arraySync, a train step\'s run): read with await tensor.data() (or readAll, downloadForSyncReads), train with VjepaTrainStep.runAsync, or use --backend wasm',
      );
    },
  });
}
