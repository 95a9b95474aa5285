import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../backend';
import { watchGpuResidency } from '../../backend-webgpu-residency';
import { useWebGpuKernels } from '../webgpu';

// What every WGSL kernel test shares: the kernel against its plain tfjs reference on the webgpu
// backend, forward and gradient, read back asynchronously (Node cannot read webgpu synchronously).
// Chromium's SwiftShader gives an adapter without a GPU (here and in CI); elsewhere the suite says why
// it is skipped.

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'vjepa-xdg-'));
const webgpu = await selectBackend('webgpu').catch((error: Error) => error);

/** A suite on the webgpu backend, or skipped with the reason there is no adapter. */
export function describeWebGpu(name: string, body: () => void): void {
  const where = webgpu instanceof Error ? `skipped: no WebGPU adapter here (${webgpu.message.split('\n')[0]})` : webgpu.adapter!.description;
  describe.skipIf(webgpu instanceof Error)(`${name} (webgpu on ${where})`, () => {
    it('runs on webgpu', async () => {
      expect((await selectBackend('webgpu')).backend).toBe('webgpu');
    });
    body();
  });
}

/** The value of `fn` and its gradients with respect to every input, read back. */
async function valueAndGrads(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): Promise<Float32Array[]> {
  const { value, grads } = tf.tidy(() => {
    const f = (...xs: tf.Tensor[]) => {
      const y = fn(...xs);
      return tf.sum(tf.mul(y, tf.reshape(tf.range(1, y.size + 1), y.shape))); // weights every output differently
    };
    const g = tf.grads(f);
    return { value: fn(...inputs), grads: g(inputs) };
  });
  const read = await Promise.all([value, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([value, ...grads]);
  return read;
}

/**
 * `fn` with our WGSL kernels equals `fn` with the references (kernels off), forward and gradients, to
 * `tolerance` relative to each result's largest magnitude (at least 1); `kernel` must have run.
 */
export async function expectAgreeOnGpu(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tolerance: number, kernel: string, withGrads = true): Promise<void> {
  const run = async () => (withGrads ? valueAndGrads(fn, inputs) : [(await tf.tidy(() => fn(...inputs)).data()) as Float32Array]);
  const { result: fused, residency } = await watchGpuResidency(run);
  expect(residency.kernels).toContain(kernel);
  useWebGpuKernels(false);
  let reference: Float32Array[];
  try {
    reference = await run();
  } finally {
    useWebGpuKernels(true);
  }
  expect(fused.length).toBe(reference.length);
  fused.forEach((values, k) => {
    const expected = reference[k];
    expect(values.length).toBe(expected.length);
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected[i]));
    expect(worst / scale, `output ${k}`).toBeLessThanOrEqual(tolerance);
  });
}
