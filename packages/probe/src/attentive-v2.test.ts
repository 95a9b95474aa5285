import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { int64ToInt32, maxAbsError, readSafetensorsSync, selectBackend, selectGroup, StateDictError } from '@vjepa/core';
import { AttentiveProbeV2, Ek100ProbeV2 } from './attentive-v2';
import { crossEntropy } from './losses';

// The official V-JEPA 2 fixture (fixtures/vjepa2/README.md): probe of width 24, 2 heads, depth 4, 5 classes.
const fixture = readSafetensorsSync(new URL('../../../fixtures/vjepa2/tiny.safetensors', import.meta.url)).tensors;
const tinyProbe = { dim: 24, heads: 2, depth: 4, classes: 5 };
const tensor = (name: string) => tf.tensor3d(fixture.get(name)!.data as Float32Array, fixture.get(name)!.shape as [number, number, number]);


describe.each(['cpu', 'wasm'] as const)('AttentiveProbeV2 equals the official V-JEPA 2 probe on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('logits, cross-entropy and every gradient on out/encoder_full; logits on the out_layers features', () => {
    const probe = new AttentiveProbeV2(tinyProbe);
    probe.loadStateDict(selectGroup(fixture, 'probe'));
    const labels = int64ToInt32(fixture.get('probe_in/labels')!.data as BigInt64Array);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const params = [...probe.parameters()];
      const { value, grads } = tf.variableGrads(() => {
        const logits = probe.apply(tensor('out/encoder_full'));
        expect(maxAbsError(logits, fixture.get('probe_out/logits')!)).toBeLessThan(1e-4);
        return crossEntropy(logits, labels);
      }, params.map(([, v]) => v));
      expect(Math.abs(value.dataSync()[0] - Number(fixture.get('probe_out/ce')!.data[0]))).toBeLessThan(1e-5);
      const expected = selectGroup(fixture, 'probe_grad');
      expect(params.map(([key]) => key).sort()).toEqual([...expected.keys()].sort());
      for (const [key, variable] of params) expect(maxAbsError(grads[variable.name], expected.get(key)!), key).toBeLessThan(1e-4);
      expect(maxAbsError(probe.apply(tensor('out/encoder_layers')), fixture.get('probe_out/logits_layers')!)).toBeLessThan(1e-4);
    });
    expect(tf.memory().numTensors).toBe(before);
    probe.dispose();
  });
});

describe('AttentiveProbeV2 keys and options', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('defaults: 16 heads, 3 self-attention blocks then the cross block, no xattn.proj', () => {
    const probe = new AttentiveProbeV2({ dim: 32, classes: 3 });
    expect(probe.config).toMatchObject({ heads: 16, depth: 4, normEps: 1e-5 });
    const keys = [...probe.stateDict().keys()];
    expect(keys.filter((k) => k.includes('xattn'))).toEqual([
      'pooler.cross_attention_block.xattn.q.weight', 'pooler.cross_attention_block.xattn.q.bias',
      'pooler.cross_attention_block.xattn.kv.weight', 'pooler.cross_attention_block.xattn.kv.bias',
    ]);
    expect(keys.filter((k) => /^pooler\.blocks\.\d+\.norm1\.weight$/.test(k))).toHaveLength(3);
    probe.dispose();
  });

  it('loads the module.-prefixed keys of a probe checkpoint; a missing key is an error naming it', () => {
    const probe = new AttentiveProbeV2(tinyProbe);
    const weights = new Map([...selectGroup(fixture, 'probe')].map(([k, v]) => [`module.${k}`, v]));
    expect(probe.loadStateDict(weights).loaded.length).toBe(weights.size);
    weights.delete('module.pooler.cross_attention_block.xattn.kv.bias');
    expect(() => probe.loadStateDict(weights)).toThrow(StateDictError);
    expect(() => probe.loadStateDict(weights)).toThrow(/missing keys: pooler\.cross_attention_block\.xattn\.kv\.bias/);
    probe.dispose();
  });

  it('the transformers variant (eps 1e-6) agrees to about 1e-5 on the fixture, as its README says', () => {
    const probe = new AttentiveProbeV2({ ...tinyProbe, normEps: 1e-6 });
    probe.loadStateDict(selectGroup(fixture, 'probe'));
    tf.tidy(() => {
      const error = maxAbsError(probe.apply(tensor('out/encoder_full')), fixture.get('probe_out/logits')!);
      expect(error).toBeGreaterThan(0);
      expect(error).toBeLessThan(1e-3);
    });
    probe.dispose();
  });

  it('EK-100: three queries, verb/noun/action heads on queries 0, 1, 2', () => {
    const probe = new Ek100ProbeV2({ dim: 24, heads: 2, verbClasses: 4, nounClasses: 6, actionClasses: 7 });
    expect([...probe.stateDict().keys()].filter((k) => k.endsWith('classifier.weight'))).toEqual([
      'verb_classifier.weight', 'noun_classifier.weight', 'action_classifier.weight',
    ]);
    expect(probe.pooler.queryTokens.shape).toEqual([1, 3, 24]);
    tf.tidy(() => {
      const features = tensor('out/encoder_full');
      const { verb, noun, action } = probe.apply(features);
      expect([verb.shape, noun.shape, action.shape]).toEqual([[2, 4], [2, 6], [2, 7]]);
      // Query 1 alone through the pooler, then the noun head, gives the same logits.
      const pooled = probe.pooler.apply(features); // [2, 3, 24]
      const nounOnly = probe.nounClassifier.apply(tf.squeeze(tf.slice(pooled, [0, 1, 0], [-1, 1, -1]), [1]));
      expect(tf.max(tf.abs(tf.sub(nounOnly, noun))).dataSync()[0]).toBe(0);
    });
    probe.dispose();
  });
});
