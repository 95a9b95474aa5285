import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Block, LayerNorm, Linear, Module, ParameterList, VjepaError, selectBackend } from '@vjepa/core';
import { gradientsByKey, groupParameters, paramGroups, takesWeightDecay } from './param-groups';

/** The predictor's layout in miniature: fixed table, embed, two mask tokens, a block, norm, proj. */
class TinyPredictor extends Module {
  constructor() {
    super();
    this.addState('predictor_pos_embed', tf.zeros([1, 6, 4]), false);
    this.addModule('predictor_embed', new Linear(6, 4));
    this.addModule('mask_tokens', new ParameterList([tf.zeros([1, 1, 4]), tf.zeros([1, 1, 4])]));
    this.addModule('predictor_blocks.0', new Block(4, 2));
    this.addModule('predictor_norm', new LayerNorm(4, 1e-6));
    this.addModule('predictor_proj', new Linear(4, 6));
  }
}

/** A conv-like 4-D weight with bias, and a fixed table. */
class TinyEncoder extends Module {
  constructor() {
    super();
    this.addState('pos_embed', tf.zeros([1, 3, 6]), false);
    this.addState('patch_embed.proj.weight', tf.zeros([6, 3, 2, 2]));
    this.addState('patch_embed.proj.bias', tf.zeros([6]));
    this.addModule('norm', new LayerNorm(6, 1e-6));
  }
}

describe('takesWeightDecay (the official rule)', () => {
  it.each([
    ['blocks.0.attn.qkv.weight', [12, 4], true],
    ['blocks.0.attn.qkv.bias', [12], false],
    ['norm.weight', [4], false],
    ['mask_tokens.0', [1, 1, 4], true],
    ['query_tokens', [1, 1, 4], true],
    ['patch_embed.proj.weight', [6, 3, 2, 16, 16], true],
    ['some_bias_table', [3, 3], false],
  ] as const)('%s %o → %s', (key, shape, expected) => {
    expect(takesWeightDecay(key, shape)).toBe(expected);
  });
});

describe('paramGroups', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('builds the four official groups in order, decaying mask tokens and skipping fixed tables', () => {
    const encoder = new TinyEncoder();
    const predictor = new TinyPredictor();
    const groups = paramGroups({ encoder, predictor });
    expect(groups.map((g) => [g.name, g.module, g.applyWeightDecay])).toEqual([
      ['encoder/decay', 'encoder', true],
      ['predictor/decay', 'predictor', true],
      ['encoder/no-decay', 'encoder', false],
      ['predictor/no-decay', 'predictor', false],
    ]);
    expect([...groups[0].params.keys()]).toEqual(['encoder/patch_embed.proj.weight']);
    expect([...groups[1].params.keys()]).toEqual([
      'predictor/predictor_embed.weight',
      'predictor/mask_tokens.0',
      'predictor/mask_tokens.1',
      'predictor/predictor_blocks.0.attn.qkv.weight',
      'predictor/predictor_blocks.0.attn.proj.weight',
      'predictor/predictor_blocks.0.mlp.fc1.weight',
      'predictor/predictor_blocks.0.mlp.fc2.weight',
      'predictor/predictor_proj.weight',
    ]);
    expect([...groups[2].params.keys()]).toEqual(['encoder/patch_embed.proj.bias', 'encoder/norm.weight', 'encoder/norm.bias']);
    expect([...groups[3].params.keys()]).toEqual([
      'predictor/predictor_embed.bias',
      'predictor/predictor_blocks.0.norm1.weight',
      'predictor/predictor_blocks.0.norm1.bias',
      'predictor/predictor_blocks.0.attn.qkv.bias',
      'predictor/predictor_blocks.0.attn.proj.bias',
      'predictor/predictor_blocks.0.norm2.weight',
      'predictor/predictor_blocks.0.norm2.bias',
      'predictor/predictor_blocks.0.mlp.fc1.bias',
      'predictor/predictor_blocks.0.mlp.fc2.bias',
      'predictor/predictor_norm.weight',
      'predictor/predictor_norm.bias',
      'predictor/predictor_proj.bias',
    ]);
    // Every trainable parameter lands in exactly one group, as the same variable.
    const all = groupParameters(groups);
    expect(all.size).toBe(encoder.parameters().size + predictor.parameters().size);
    expect(all.get('predictor/mask_tokens.1')).toBe(predictor.parameters().get('mask_tokens.1'));
    expect([...all.keys()].some((k) => k.includes('pos_embed'))).toBe(false);
    encoder.dispose();
    predictor.dispose();
  });

  it('re-keys tf.variableGrads output by parameter key', () => {
    const predictor = new TinyPredictor();
    const params = groupParameters(paramGroups({ predictor }));
    const proj = params.get('predictor/predictor_proj.bias')!;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(proj, 2)), [proj]);
    const byKey = gradientsByKey(params, grads);
    expect([...byKey.keys()]).toEqual(['predictor/predictor_proj.bias']);
    expect(Array.from(byKey.get('predictor/predictor_proj.bias')!.dataSync())).toEqual([2, 2, 2, 2, 2, 2]);
    tf.dispose([value, ...Object.values(grads)]);
    predictor.dispose();
  });

  it('rejects no modules, non-modules and shared variables', () => {
    const predictor = new TinyPredictor();
    expect(() => paramGroups({})).toThrow(VjepaError);
    expect(() => paramGroups({ x: {} as Module })).toThrow(/modules.x: expected a Module/);
    expect(() => paramGroups({ a: predictor, b: predictor })).toThrow(/to belong to one module only/);
    expect(() => paramGroups({ 'a/b': predictor })).toThrow(/without "\/"/);
    predictor.dispose();
  });
});
