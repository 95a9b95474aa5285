import * as tf from '@tensorflow/tfjs-core';

// The WGSL kernels of ours on tfjs's webgpu backend: the interface to the backend they use, the switch
// that turns them off (for tests against the references), and the dispatch rule of the fused ops. The
// kernels themselves live beside their references (`kernels/<name>.webgpu.ts`) and are registered for
// the webgpu backend only, by `register-webgpu.ts`, when `selectBackend` picks webgpu.

/** A program for tfjs's `WebGPUBackend.runWebGPUProgram` (the fields tfjs reads; its own type is internal). */
export interface WebGpuProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size?: boolean;
  uniforms?: string;
  getUserCode(): string;
}

/** The parts of tfjs's WebGPUBackend a kernel of ours calls. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], dtype: 'float32', uniforms?: { type: 'float32' | 'int32'; data: number[] }[]): tf.TensorInfo;
}

/** The dispatch helpers of `@tensorflow/tfjs-backend-webgpu` (`webgpu_util`), handed over at registration. */
export interface WebGpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, shape: number[], workgroupSize: [number, number, number]): [number, number, number];
}

const WORKGROUP: [number, number, number] = [64, 1, 1];
let util: WebGpuUtil | null = null;
let enabled = true;

/** Hands over tfjs-backend-webgpu's dispatch helpers (`register-webgpu.ts` does, before registering). */
export function setWebGpuUtil(next: WebGpuUtil): void {
  util = next;
}

/**
 * Turns our WGSL kernels off (false) or back on (true) for the ops that follow on webgpu: the fused ops
 * then run their plain tfjs reference. For tests that compare the two on the GPU.
 */
export function useWebGpuKernels(on: boolean): void {
  enabled = on;
}

/** Whether a fused op takes its WGSL kernel: on webgpu, kernels on, `kernelName` registered there, operands that qualify. */
export function webgpuKernelActive(kernelName: string, accepts: boolean): boolean {
  return accepts && enabled && tf.getBackend() === 'webgpu' && tf.getKernel(kernelName, 'webgpu') !== undefined;
}

/**
 * A program of `threads` invocations (one per element, row or column, as the kernel says) writing an
 * output of `outputShape`. `body` is WGSL run for each `index < uniforms.threads`, reading the inputs by
 * their names (`X[i]`) and writing with `setOutputAtIndex(i, value)`; `uniforms` declares more scalars
 * (`eps : f32, d : i32,`), passed in that order after `threads`; `prelude` holds WGSL functions it calls.
 */
export function program(key: string, inputs: string[], outputShape: number[], threads: number, body: string, uniforms = '', prelude = ''): WebGpuProgram {
  return programOf(key, inputs, outputShape, threads, uniforms, `${prelude}
      fn main(index : i32) {
        if (index < uniforms.threads) {
          ${body}
        }
      }`);
}

/** Threads per workgroup of every program of ours (`program`, `workgroupProgram`). */
export const WORKGROUP_THREADS = WORKGROUP[0];

/**
 * A program of `groups` workgroups of {@link WORKGROUP_THREADS} threads that cooperate through
 * workgroup memory (tiles, barriers): `body` runs in every thread, in uniform control flow (no guard
 * around it), with `group` (the workgroup, `0 ≤ group`; `group ≥ groups` for the spare ones a large
 * dispatch may add) and `local` (the thread in it) defined; `prelude` holds its `var<workgroup>` arrays
 * and functions. Uniforms as in {@link program} (`threads` is `groups · WORKGROUP_THREADS`).
 */
export function workgroupProgram(key: string, inputs: string[], outputShape: number[], groups: number, body: string, uniforms = '', prelude = ''): WebGpuProgram {
  return programOf(key, inputs, outputShape, groups * WORKGROUP_THREADS, uniforms, `${prelude}
      fn main(index : i32) {
        let group = index / ${WORKGROUP_THREADS};
        let local = index % ${WORKGROUP_THREADS};
        ${body}
      }`);
}

/** The program of `threads` threads (a flat dispatch of our workgroups) running `code` (its WGSL `main`). */
function programOf(key: string, inputs: string[], outputShape: number[], threads: number, uniforms: string, code: string): WebGpuProgram {
  if (util === null) throw new Error('vjepa webgpu kernel: tfjs-backend-webgpu was not handed over (register-webgpu.ts)');
  return {
    outputShape,
    shaderKey: `vjepa_${key}`,
    dispatchLayout: util.flatDispatchLayout(outputShape),
    dispatch: util.computeDispatch({ x: [0] }, [threads], WORKGROUP),
    variableNames: inputs,
    workgroupSize: WORKGROUP,
    uniforms: `threads : i32, ${uniforms}`,
    getUserCode: () => code,
  };
}

/** Runs `p` on the webgpu backend with `threads` and the extra uniforms, in the order `program` declared them. */
export function run(backend: unknown, p: WebGpuProgram, inputs: tf.TensorInfo[], threads: number, extra: { type: 'float32' | 'int32'; data: number[] }[] = []): tf.TensorInfo {
  return (backend as WebGpuBackendLike).runWebGPUProgram(p, inputs, 'float32', [{ type: 'int32', data: [threads] }, ...extra]);
}

/** Exact erf as tfjs computes it on every backend (Abramowitz–Stegun 7.1.26), so the WGSL GELU equals the reference. */
export const ERF_WGSL = `
  fn vjepaErf(v : f32) -> f32 {
    let p = 0.3275911;
    let a1 = 0.254829592;
    let a2 = -0.284496736;
    let a3 = 1.421413741;
    let a4 = -1.453152027;
    let a5 = 1.061405429;
    let s = sign(v);
    let x = abs(v);
    let t = 1.0 / (1.0 + p * x);
    return s * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * exp(-x * x));
  }`;
