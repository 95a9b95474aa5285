import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsSync, selectBackend, selectGroup, toChannelsLast } from '@vjepa/core';
import { PatchEmbed, patchify } from './patch-embed';

const fixture = readSafetensorsSync(new URL('../../../fixtures/reference/tiny.safetensors', import.meta.url)).tensors;

describe.each(['cpu', 'wasm'] as const)('PatchEmbed on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('equals the official Conv3d tubelet embedding (out/patch_embed) to 1e-4', () => {
    const embed = new PatchEmbed({ dim: 48, patch: 8, tubelet: 2 });
    const weights = selectGroup(fixture, 'encoder');
    embed.loadStateDict(new Map([...weights].filter(([k]) => k.startsWith('patch_embed.')).map(([k, v]) => [k.slice('patch_embed.'.length), v])));
    const clip = fixture.get('input/video_bcthw')!;
    const video = toChannelsLast(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number]));
    const out = embed.apply(video);
    const expected = fixture.get('out/patch_embed')!;
    expect(out.shape).toEqual(expected.shape);
    const got = out.dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - Number(expected.data[i])));
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([video, out]);
    embed.dispose();
  });
});

describe('patchify and input checks', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('token order is time-major, column fastest; values within a tubelet are (frame, row, column, channel)', () => {
    // value = f·1000 + y·100 + x·10 + c on a 4 × 4 × 4 × 2 clip, tubelet 2, patch 2 → grid 2 × 2 × 2
    const data = new Float32Array(4 * 4 * 4 * 2);
    for (let f = 0; f < 4; f++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 2; c++) data[((f * 4 + y) * 4 + x) * 2 + c] = f * 1000 + y * 100 + x * 10 + c;
    const patches = patchify(tf.tensor5d(data, [1, 4, 4, 4, 2]), 2, 2);
    expect(patches.shape).toEqual([1, 8, 16]);
    const rows = patches.arraySync()[0];
    // token 5 = (t 1, h 0, w 1): frames 2–3, rows 0–1, columns 2–3
    expect(rows[5].slice(0, 4)).toEqual([2020, 2021, 2030, 2031]);
    expect(rows[5][15]).toBe(3131);
    patches.dispose();
  });

  it('refuses a clip it cannot tile, naming the argument, before any compute', () => {
    const embed = new PatchEmbed({ dim: 8, patch: 4, tubelet: 2 });
    expect(() => embed.checkInput([1, 3, 8, 8, 3])).toThrow('video frames: expected a multiple of the tubelet depth 2, received 3');
    expect(() => embed.checkInput([1, 2, 10, 8, 3])).toThrow('video height: expected a multiple of the patch size 4, received 10');
    expect(() => embed.checkInput([1, 2, 8, 8, 1])).toThrow(/video channels \(last axis\): expected 3, received 1/);
    expect(() => embed.checkInput([2, 8, 8, 3])).toThrow(/video: expected a rank-5 \[B, T, H, W, C\] tensor/);
    expect(() => new PatchEmbed({ dim: 0 })).toThrow(/PatchEmbed config.dim: expected a positive integer, received 0/);
    embed.dispose();
  });
});
