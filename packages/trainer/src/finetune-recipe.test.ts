import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { runFinetuning } from './finetune';
import { layerDecayGroups, vitLayerId } from './finetune-groups';
import { smoothedCrossEntropy } from './finetune-loss';
import { MeanHead, ToyLabelledSource, toyEncoder } from './finetune.test-util';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('layer-wise learning-rate decay', () => {
  it('vitLayerId: patch embedding and positions 0, block i → i + 1, the final norm on top', () => {
    expect(['pos_embed', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight', 'blocks.11.mlp.fc2.bias', 'norm.weight'].map((k) => vitLayerId(k, 12))).toEqual([0, 0, 1, 12, 13]);
  });

  it('scales each group by decay^(depth + 1 − layer): depth 2, decay 0.5', () => {
    const encoder = toyEncoder();
    const head = new MeanHead(16, 2);
    const { groups, lrScale } = layerDecayGroups(encoder, head, 0.5);
    const scales = Object.fromEntries([...lrScale]);
    expect(scales).toEqual({
      'encoder/layer-0/decay': 0.125, // patch_embed.proj.weight
      'encoder/layer-0/no-decay': 0.125, // patch_embed.proj.bias
      'encoder/layer-1/decay': 0.25,
      'encoder/layer-1/no-decay': 0.25,
      'encoder/layer-2/decay': 0.5,
      'encoder/layer-2/no-decay': 0.5,
      'encoder/layer-3/no-decay': 1, // norm.weight, norm.bias
      'head/decay': 1,
      'head/no-decay': 1,
    });
    expect([...groups[0].params.keys()]).toEqual(['encoder/patch_embed.proj.weight']);
    expect([...groups.find((g) => g.name === 'encoder/layer-2/decay')!.params.keys()]).toContain('encoder/blocks.1.attn.qkv.weight');
    expect([...groups.find((g) => g.name === 'encoder/layer-3/no-decay')!.params.keys()]).toEqual(['encoder/norm.weight', 'encoder/norm.bias']);
    // every trainable parameter once
    expect(groups.reduce((n, g) => n + g.params.size, 0)).toBe(encoder.parameters().size + head.parameters().size);
    expect(() => layerDecayGroups(encoder, head, 0)).toThrow('layerDecay: expected a number in (0, 1], received 0');
    encoder.dispose();
    head.dispose();
  });

  it('one fine-tuning step moves every parameter by lr · scale (the first AdamW step is ±lr per element)', async () => {
    const encoder = toyEncoder();
    const head = new MeanHead(16, 2);
    const before = new Map([...encoder.parameters(), ...[...head.parameters()].map(([k, v]) => [`head.${k}`, v] as const)].map(([k, v]) => [k, v.dataSync().slice()]));
    const lrs: number[] = [];
    // steps 2: the cosine at s = 1 of 2 is half the peak, 0.01 → 0.005 (no warm-up, finalLr 0)
    await runFinetuning({
      encoder, head, source: new ToyLabelledSource(), label: 'label', steps: 2, lr: 0.01, finalLr: 0, weightDecay: 0, layerDecay: 0.5, dropPath: 0, labelSmoothing: 0,
      onProgress: (e) => {
        if (e.step === 0) {
          lrs.push(e.lr);
          for (const [key, v] of [...encoder.parameters(), ...[...head.parameters()].map(([k, p]) => [`head.${k}`, p] as const)]) {
            const scale = key.startsWith('head.') || key.startsWith('norm.') ? 1 : key.startsWith('patch_embed.') ? 0.125 : key.startsWith('blocks.0.') ? 0.25 : 0.5;
            const now = Array.from(v.dataSync());
            const largest = Array.from(before.get(key)!).reduce((m, x, i) => Math.max(m, Math.abs(now[i] - x)), 0);
            expect(largest / (0.005 * scale), key).toBeCloseTo(1, 2);
          }
        }
      },
    });
    expect(lrs).toEqual([0.005]);
    encoder.dispose();
    head.dispose();
  });
});

describe('smoothedCrossEntropy', () => {
  it('is −(1 − ε)·log p_y − (ε/C)·Σ log p_c (a hand case), and the plain cross-entropy at ε = 0', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const logp = [1 - lse, 2 - lse, 3 - lse];
    // row 0: label 2; row 1: label 0 with uniform logits → log p = −log 3 everywhere, the loss log 3 whatever ε
    const row0 = -(0.9 * logp[2] + (0.1 / 3) * (logp[0] + logp[1] + logp[2]));
    expect(smoothedCrossEntropy(logits, [2, 0], 0.1).dataSync()[0]).toBeCloseTo((row0 + Math.log(3)) / 2, 5);
    expect(smoothedCrossEntropy(logits, [2, 0], 0).dataSync()[0]).toBeCloseTo((-logp[2] + Math.log(3)) / 2, 5);
    expect(() => smoothedCrossEntropy(logits, [2, 0], 1)).toThrow('labelSmoothing: expected a number in [0, 1), received 1');
    expect(() => smoothedCrossEntropy(logits, [3, 0])).toThrow('labels[0]: expected a class index in [0, 3), received 3');
    logits.dispose();
  });
});
