import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import * as browser from './browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: they need Node's file system or load native TensorFlow. */
const NODE_ONLY = [
  'BACKEND_REQUESTS',
  'checkOutputPath',
  'findWebGpuAdapter',
  'readSafetensors',
  'readSafetensorsHeaderSync',
  'readSafetensorsSync',
  'syncDirectory',
  'writeFileAtomic',
  'writeFileAtomicSync',
  'writeSafetensors',
  'writeSafetensorsSync',
];

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['Module', 'parseSafetensors'] });

it('has a selectBackend of its own (WebGPU, WebGL, wasm, cpu)', () => {
  expect(browser.selectBackend).not.toBe(node.selectBackend);
});

describe('browser selectBackend', () => {
  it('falls back from webgpu and webgl to wasm where neither exists (here: Node)', async () => {
    const choice = await browser.selectBackend('auto');
    expect(choice.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.rejected.map((r) => r.candidate)).toEqual(['webgpu', 'webgl']);
    expect(choice.rejected[0].reason).toMatch(/navigator\.gpu/);
    expect(choice.reason).toBe('wasm is the fastest backend that initialised here');
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1.5]), tf.tensor1d([2])));
    expect(Array.from(await sum.data())).toEqual([3.5]);
    sum.dispose();
  });

  it('selects cpu when asked and says so', async () => {
    const choice = await browser.selectBackend('cpu');
    expect(choice).toEqual({ backend: 'cpu', requested: 'cpu', reason: 'cpu was requested', rejected: [] });
    await browser.selectBackend('wasm');
  });

  it('fails for a requested backend that cannot load, naming it and why', async () => {
    await expect(browser.selectBackend('webgpu')).rejects.toThrow(
      /^backend: 'webgpu' requested but it could not be initialised \(webgpu: navigator\.gpu is missing/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('refuses unknown requests and options before loading anything', async () => {
    await expect(browser.selectBackend('tensorflow' as never)).rejects.toThrow(/backend.*one of auto, webgpu, webgl, wasm, cpu/);
    await expect(browser.selectBackend('wasm', { wasmPath: '/x/' } as never)).rejects.toThrow(/options\.wasmPath/);
    await expect(browser.selectBackend('wasm', { wasmPaths: { 'other.wasm': '/x.wasm' } as never })).rejects.toThrow(
      /options\.wasmPaths\.other\.wasm.*tfjs-backend-wasm-simd\.wasm/,
    );
  });
});
