import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import { PyOrderedDict, saveTorchFile } from '@vjepa/torch-format';
import { loadReference } from './parity/reference';
import { referenceVideo } from './parity/reference-models';
import { checkpointRunConfig, loadEncoderWeights } from './encoder-source';
import { inferEncoderConfig } from './infer-encoder';
import { readOfficialEncoder } from './torch-files';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url).pathname;
const pretrain = fixture('pytorch/tiny-pretrain.pth.tar');

describe('official pretraining checkpoints, read directly', () => {
  it('infers the encoder from the shapes and reproduces the official encoder output', async () => {
    await selectBackend('wasm');
    const { state, key } = readOfficialEncoder(pretrain, 'online');
    expect(key).toBe('encoder');
    expect(state.has('pos_embed')).toBe(true); // module.backbone. stripped
    expect(inferEncoderConfig(state, pretrain, { heads: 4 })).toMatchObject({ dim: 48, depth: 2, heads: 4, patch: 8, tubelet: 2, frames: 8, imageSize: 24, mlpRatio: 4 });
    expect(() => inferEncoderConfig(state, pretrain)).toThrow(/heads: expected a --heads flag \(width 48 is no official size/);
    expect(readOfficialEncoder(pretrain).key).toBe('target_encoder');

    const config = checkpointRunConfig(pretrain, 'online', { heads: 4 })!;
    const encoder = new VisionTransformer(config.model.encoder);
    try {
      loadEncoderWeights(pretrain, 'online', encoder);
      const reference = loadReference(fixture('reference/tiny.safetensors'));
      const video = referenceVideo(reference);
      const out = encoder.apply(video);
      const expected = reference.tensors.get('out/encoder_full')!;
      const got = out.dataSync() as Float32Array;
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - (expected.data as Float32Array)[i]));
      expect(worst).toBeLessThanOrEqual(1e-4);
      tf.dispose([video, out]);
    } finally {
      encoder.dispose();
    }
  });

  it('widens bf16 and f16 weights to float32 when loaded into a model', () => {
    const { state } = readOfficialEncoder(pretrain, 'online');
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-half-'));
    for (const dtype of ['BF16', 'F16'] as const) {
      const dict = new PyOrderedDict<string, unknown>();
      const widened = new Map<string, Float32Array>();
      for (const [name, t] of state) {
        const f32 = t.data as Float32Array;
        const bits = new Uint16Array(f32.length);
        if (dtype === 'BF16') bits.set(new Uint32Array(Float32Array.from(f32).buffer).map((b) => b >>> 16));
        else for (let i = 0; i < f32.length; i++) bits[i] = halfBits(f32[i]);
        dict.set(`module.backbone.${name}`, { dtype, shape: t.shape, data: bits });
        widened.set(name, dtype === 'BF16' ? new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer) : Float32Array.from(bits, halfValue));
      }
      const path = join(dir, `${dtype}.pth`);
      saveTorchFile(path, { encoder: dict });
      const read = readOfficialEncoder(path).state;
      for (const [name, expected] of widened) expect(Array.from(read.get(name)!.data as Float32Array), `${dtype} ${name}`).toEqual(Array.from(expected));
      const encoder = new VisionTransformer(checkpointRunConfig(path, 'target', { heads: 4 })!.model.encoder);
      loadEncoderWeights(path, 'target', encoder);
      expect(Array.from(encoder.stateDict().get('blocks.0.attn.qkv.weight')!.dataSync()).slice(0, 8)).toEqual(Array.from(widened.get('blocks.0.attn.qkv.weight')!.slice(0, 8)));
      encoder.dispose();
    }
  });
});

/** float32 → IEEE half bits, round to nearest even (the normal range is enough for these weights). */
function halfBits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign; // flush tiny values to zero
  let mantissa = (x >>> 13) & 0x3ff;
  const rest = x & 0x1fff;
  let e = exponent;
  if (rest > 0x1000 || (rest === 0x1000 && mantissa & 1)) {
    mantissa++;
    if (mantissa === 0x400) (mantissa = 0), e++;
  }
  return sign | (e << 10) | mantissa;
}

function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
