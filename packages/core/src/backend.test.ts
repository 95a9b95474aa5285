import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from './backend';
import { takeWebGpuErrors } from './backend-webgpu';
import { downloadForSyncReads, readAll, type Reads } from './reads';

// Chromium's SwiftShader Vulkan driver gives Dawn an adapter on a machine without a GPU (here and in CI,
// whose .ci/run installs Chromium); the Vulkan loader also wants XDG_RUNTIME_DIR.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'vjepa-xdg-'));
const webgpu = await selectBackend('webgpu').catch((error: Error) => error);

afterAll(async () => {
  await selectBackend('wasm');
});

describe.skipIf(webgpu instanceof Error)(`selectBackend('webgpu') in Node (${webgpu instanceof Error ? `skipped: no adapter here: ${webgpu.message}` : webgpu.adapter?.description})`, () => {
  it('runs on Dawn with any adapter, a software one included, and says which', async () => {
    const choice = await selectBackend('webgpu');
    expect(choice).toMatchObject({ backend: 'webgpu', requested: 'webgpu', accelerator: { name: 'none' } });
    expect(choice.reason).toBe(`webgpu was requested; it runs on ${choice.adapter!.description}`);
    if (process.env.VK_ICD_FILENAMES === SWIFTSHADER) expect(choice.adapter).toEqual({ description: expect.stringMatching(/^SwiftShader/), software: true });
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('refuses a synchronous read of a GPU result with a message that says what to do, and serves one already read from its host copy', async () => {
    await selectBackend('webgpu');
    const x = tf.tensor1d([1, 2]);
    const y = tf.add(x, 1);
    expect(() => y.dataSync()).toThrow(/^webgpu in Node cannot read a tensor synchronously \(dataSync, arraySync, a train step's run\): read with await tensor\.data\(\) \(or readAll, downloadForSyncReads\), train with VjepaTrainStep\.runAsync, or use --backend wasm$/);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    expect(Array.from(y.dataSync())).toEqual([2, 3]);
    const z = tf.mul(y, 2);
    await downloadForSyncReads([z]);
    expect(Array.from(z.dataSync())).toEqual([4, 6]);
    function* sumOf(t: tf.Tensor): Reads<number> {
      const total = tf.sum(t);
      const [value] = yield total;
      total.dispose();
      return value;
    }
    expect(await readAll(sumOf(z))).toBe(10);
    tf.dispose([x, y, z]);
  });

  it('gets the adapter\'s limits: an addN of 9 tensors (10 storage buffers) is exact, and the device reports no error', async () => {
    await selectBackend('webgpu');
    const inputs = Array.from({ length: 9 }, (_, i) => tf.tensor1d([i, 2 * i]));
    const sum = tf.addN(inputs);
    expect(Array.from(await sum.data())).toEqual([36, 72]);
    tf.dispose([sum, ...inputs]);
    expect(takeWebGpuErrors()).toEqual([]);
  });
});

describe('selectBackend in Node', () => {
  it("does not try webgpu for 'auto' (Dawn is loaded only when asked for)", async () => {
    const choice = await selectBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(choice.rejected.map((r) => r.candidate)).not.toContain('webgpu');
  });

  it('names the optional peer to install when a backend package is missing', async () => {
    vi.resetModules();
    vi.doMock('@tensorflow/tfjs-backend-cpu', () => {
      throw new Error("Cannot find package '@tensorflow/tfjs-backend-cpu'");
    });
    try {
      const fresh = await import('./backend');
      await expect(fresh.selectBackend('cpu')).rejects.toThrow(
        /^backend: 'cpu' requested but it could not be initialised \(cpu: @tensorflow\/tfjs-backend-cpu is not installed \(an optional peer of @vjepa\/core: npm install @tensorflow\/tfjs-backend-cpu@4\.22\.0\).*Install @tensorflow\/tfjs-backend-cpu@4\.22\.0, or pick another --backend\.$/,
      );
    } finally {
      vi.doUnmock('@tensorflow/tfjs-backend-cpu');
    }
  });
});

describe('the native accelerator when the package manager skipped @vjepa/accelerate', () => {
  it('says it is an optional dependency that was skipped, not that the app should add it', async () => {
    vi.resetModules();
    vi.doMock('@vjepa/accelerate', () => {
      throw new Error("Cannot find package '@vjepa/accelerate'");
    });
    try {
      const fresh = await import('./backend');
      const choice = await fresh.selectBackend('wasm');
      expect(choice.accelerator.name).toBe('none');
      expect(choice.accelerator.reason).toMatch(
        /^slow path: tfjs's own wasm kernels, because @vjepa\/accelerate, an optional dependency of @vjepa\/core, was not installed \(the package manager skipped it: --omit=optional or --no-optional\); reinstall without that flag/,
      );
      expect(choice.accelerator.reason).not.toMatch(/add it/);
    } finally {
      vi.doUnmock('@vjepa/accelerate');
    }
  });
});
