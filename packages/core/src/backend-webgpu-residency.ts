import * as tf from '@tensorflow/tfjs-core';

/** What ran while {@link watchGpuResidency} watched, and what left the GPU. */
export interface GpuResidency {
  /** Every kernel that ran on the backend, by name, in order. */
  kernels: string[];
  /** Kernels that computed on the CPU instead (tfjs's webgpu backend hands small ops on CPU-held inputs to its CPU kernels). */
  cpuKernels: string[];
  /**
   * Reads of a tensor back to the host (`dataSync`, `data`, `array`): inside which kernel (or `outside a
   * kernel`), and after how many of `kernels` — a step that stays on the GPU reads only after its last one.
   */
  reads: { kernel: string; afterKernels: number }[];
}

/** The parts of tfjs's WebGPUBackend watched here. */
interface WatchedBackend {
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  shouldExecuteOnCPU(inputs: unknown[], threshold?: number): boolean;
}

/**
 * Runs `fn` on the active `webgpu` backend and reports every kernel it ran, those that computed on the
 * CPU instead of the GPU, and every read back to the host — what "the step stays on the GPU" means,
 * checked rather than assumed. A missing WebGPU kernel is no silent fall-back in tfjs (it throws);
 * these are the silent ones. The backend is restored afterwards, also when `fn` throws.
 *
 * @example
 * const { cpuKernels, reads } = await watchGpuResidency(() => step.runAsync(video, masks));
 */
export async function watchGpuResidency<T>(fn: () => Promise<T> | T): Promise<{ result: T; residency: GpuResidency }> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`watchGpuResidency: the active backend is ${tf.getBackend()}, not webgpu`);
  const backend = tf.backend() as unknown as WatchedBackend;
  const residency: GpuResidency = { kernels: [], cpuKernels: [], reads: [] };
  const active: string[] = [];
  const current = () => active[active.length - 1] ?? 'outside a kernel';
  const wrapped = tf.getKernelsForBackend('webgpu').map((config) => {
    const kernelFunc = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        residency.kernels.push(config.kernelName);
        active.push(config.kernelName);
        try {
          return kernelFunc(args);
        } finally {
          active.pop();
        }
      },
    });
    return config;
  });
  // Wrapped as own properties; whatever own properties were there before (`explainSyncReads`) come back after.
  const names = ['readSync', 'read', 'shouldExecuteOnCPU'] as const;
  const before = names.map((name) => Object.getOwnPropertyDescriptor(backend, name));
  const { readSync, read, shouldExecuteOnCPU } = backend;
  const wrap = (name: (typeof names)[number], value: unknown) => Object.defineProperty(backend, name, { value, configurable: true, writable: true });
  wrap('readSync', function (this: WatchedBackend, dataId: object) {
    residency.reads.push({ kernel: current(), afterKernels: residency.kernels.length });
    return readSync.call(this, dataId);
  });
  wrap('read', function (this: WatchedBackend, dataId: object) {
    residency.reads.push({ kernel: current(), afterKernels: residency.kernels.length });
    return read.call(this, dataId);
  });
  wrap('shouldExecuteOnCPU', function (this: WatchedBackend, inputs: unknown[], threshold?: number) {
    const onCpu = shouldExecuteOnCPU.call(this, inputs, threshold);
    if (onCpu) residency.cpuKernels.push(current());
    return onCpu;
  });
  try {
    return { result: await fn(), residency };
  } finally {
    names.forEach((name, i) => {
      const own = before[i];
      if (own) Object.defineProperty(backend, name, own);
      else delete (backend as Partial<WatchedBackend>)[name];
    });
    for (const config of wrapped) {
      tf.unregisterKernel(config.kernelName, 'webgpu');
      tf.registerKernel(config);
    }
  }
}
