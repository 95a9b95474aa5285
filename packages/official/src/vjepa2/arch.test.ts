import { describe, expect, it } from 'vitest';
import { inspectFile, formatInspect } from '../inspect';
import { describeArch, VJEPA2_SIZES, type Vjepa2Size } from './arch';
import { inferVjepa2Arch } from './infer';
import { lazyTensor, type LazyStateDict } from './lazy-tensor';
import { encoderKeys, predictorKeys, probeKeys } from './official-keys';

const fixture = (path: string) => new URL(`../../../../fixtures/vjepa2/${path}`, import.meta.url).pathname;

/** A state dict of the given keys and shapes whose tensors must never be read. */
function shapesOnly(keys: [string, number[]][]): LazyStateDict {
  return new Map(keys.map(([key, shape]) => [key, lazyTensor(shape, 'BF16', () => { throw new Error(`${key} was read`); })]));
}

function released(size: Vjepa2Size, imageSize = 256) {
  const s = VJEPA2_SIZES[size];
  return { dim: s.dim, depth: s.depth, heads: s.heads, mlpHidden: s.mlpHidden, mlpRatio: s.mlpHidden / s.dim, patch: 16, tubelet: 2, channels: 3, qkvBias: true, normEps: 1e-6, imageSize, frames: 16 };
}

describe('V-JEPA 2 architectures from shapes alone', () => {
  it('recognises the released encoders and predictor, heads from the released table', () => {
    for (const size of ['vitl', 'vith', 'vitg'] as const) {
      const encoder = released(size);
      const predictor = { encoderDim: encoder.dim, dim: 384, depth: 12, heads: 12, mlpHidden: 1536, mlpRatio: 4, numMaskTokens: 10, qkvBias: true, normEps: 1e-6, imageSize: 256, patch: 16, tubelet: 2, frames: 16 };
      const stripped = encoderKeys({ ...encoder, heads: 1 });
      const arch = inferVjepa2Arch({ encoder: shapesOnly(stripped), predictor: shapesOnly(predictorKeys({ ...predictor, heads: 1 })), probe: null }, { source: `${size}.pt` });
      expect(arch.size).toBe(size);
      expect(arch.encoder).toEqual(encoder);
      expect(arch.predictor).toEqual(predictor);
      expect(arch.assumed).toEqual(['image size 256 (the released default; pass imageSize)', '16 frames (pass frames; RoPE takes any even count)']);
    }
    const g384 = inferVjepa2Arch({ encoder: shapesOnly(encoderKeys(released('vitg'))), predictor: null, probe: null }, { source: 'weights/vitg-384.pt' });
    expect(g384.encoder!.imageSize).toBe(384);
    expect(describeArch(g384, { encoder: 1_012_000_000 })).toBe('V-JEPA 2 ViT-g/16 (vit_giant_xformers): width 1408, depth 40, 22 heads, MLP 6144, patch 16, tubelet 2, 384 px, 16 frames, 1012.0 M parameters');
  });

  it('recognises the released probes and their official protocols', () => {
    const probe = (dim: number, classes: number) => shapesOnly(probeKeys({ dim, depth: 4, heads: 16, mlpHidden: 4 * dim, mlpRatio: 4, queries: 1, classes, normEps: 1e-5 }));
    const ssv2 = inferVjepa2Arch({ encoder: null, predictor: null, probe: probe(1024, 174) }, { source: 'ssv2-vitl-16x2x3.pt' });
    expect(ssv2.probe).toEqual({ dim: 1024, depth: 4, heads: 16, mlpHidden: 4096, mlpRatio: 4, queries: 1, classes: 174, normEps: 1e-5 });
    expect(ssv2.protocol).toEqual({ task: 'ssv2', resolution: 256, frames: 16, frameStep: 4, segments: 2, views: 3, outLayers: null });
    const diving = inferVjepa2Arch({ encoder: shapesOnly(encoderKeys(released('vitg', 384))), predictor: null, probe: probe(1408, 48) }, { source: 'x.pt' });
    expect(diving.protocol).toEqual({ task: 'diving48', resolution: 384, frames: 32, frameStep: 2, segments: 4, views: 3, outLayers: [24, 29, 34, 39] });
    expect(diving.encoder).toMatchObject({ imageSize: 384, frames: 32 }); // from the probe's protocol
    const ek100 = shapesOnly(probeKeys({ dim: 1024, depth: 4, heads: 16, mlpHidden: 4096, mlpRatio: 4, queries: 3, classes: { verb: 97, noun: 300, action: 3568 }, normEps: 1e-5 }));
    expect(inferVjepa2Arch({ encoder: null, predictor: null, probe: ek100 }, { source: 'ek100-vitl-256.pt' }).probe).toMatchObject({ queries: 3, classes: { verb: 97, noun: 300, action: 3568 } });
  });
});

describe('vjepa inspect on V-JEPA 2 files', () => {
  it('names the architecture it recognises', () => {
    const pretrain = inspectFile(fixture('tiny-pretrain.pt'));
    expect(pretrain.architecture).toMatch(/^official V-JEPA 2 pretraining checkpoint \(encoder from 'encoder'\): V-JEPA 2 encoder \(no released size\): width 24, depth 3, heads not in the file, MLP 96, patch 4, tubelet 2, 256 px, 16 frames, 24048 parameters; predictor: width 20, depth 2, heads not in the file, 10 mask tokens, 11364 parameters; assumed: image size 256/);
    expect(inspectFile(fixture('tiny-probe.pt')).architecture).toBe('official V-JEPA 2 attentive-probe checkpoint: attentive probe: width 24, depth 4, heads not in the file, 5 classes, 28445 parameters');
    const folder = inspectFile(fixture('tiny-hf-classifier'));
    expect(folder.format).toBe('huggingface-vjepa2');
    expect(folder.tensors).toHaveLength(156);
    expect(folder.tensors[0]).toEqual({ name: 'classifier.bias', dtype: 'F32', shape: [5] });
    expect((folder.values.config as { id2label: object }).id2label).toMatchObject({ 0: 'class_0' });
    expect(formatInspect(folder).split('\n')[1]).toMatch(/^architecture: Hugging Face VJEPA2ForVideoClassification \(encoder from 'encoder'\): .*width 24, depth 3, 2 heads, .*16 px, 8 frames.*attentive probe: width 24, depth 4, 2 heads, 5 classes/);
    expect(inspectFile(fixture('tiny.safetensors')).architecture).toBeUndefined();
  });
});
