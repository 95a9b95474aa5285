import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Block, LayerNorm, Linear, Module, VjepaError, selectBackend } from '@vjepa/core';
import { EmaUpdater, emaUpdate } from './ema';

/** A small encoder-like module: a trainable Linear, a block, a norm and a fixed (non-trainable) table. */
class TinyEncoder extends Module {
  constructor(fill: number, dim = 4, tableRows = 3) {
    super();
    this.addState('pos_embed', tf.fill([1, tableRows, dim], fill), false);
    this.addModule('patch_embed.proj', new Linear(2, dim));
    this.addModule('blocks.0', new Block(dim, 2));
    this.addModule('norm', new LayerNorm(dim, 1e-6));
    for (const variable of this.stateDict().values()) variable.assign(tf.fill(variable.shape, fill));
  }
}

function values(module: Module): Map<string, number[]> {
  return new Map([...module.stateDict()].map(([key, v]) => [key, Array.from(v.dataSync())]));
}

describe.each(['cpu', 'wasm'] as const)('EMA update on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('moves every state entry, fixed tables included: m = 0.9, θ_t = 1, θ_o = 3 → 1.2', () => {
    const target = new TinyEncoder(1);
    const online = new TinyEncoder(3);
    emaUpdate(target, online, 0.9);
    const expected = Math.fround(Math.fround(1 * Math.fround(0.9)) + Math.fround(3 * Math.fround(0.1)));
    for (const [key, data] of values(target)) {
      expect(data.every((x) => x === expected), key).toBe(true);
      expect(data[0]).toBeCloseTo(1.2, 6);
    }
    expect(values(target).has('pos_embed')).toBe(true);
    for (const data of values(online).values()) expect(data.every((x) => x === 3)).toBe(true);
    target.dispose();
    online.dispose();
  });

  it('follows the closed form over several updates with varying momenta', () => {
    const target = new TinyEncoder(0);
    const online = new TinyEncoder(1);
    const ema = new EmaUpdater(target, online);
    let expected = 0;
    for (const m of [0.5, 0.75, 0.9]) {
      ema.update(m);
      expected = m * expected + (1 - m) * 1;
    }
    for (const data of values(target).values()) for (const x of data) expect(x).toBeCloseTo(expected, 6);
    expect(ema.keys()).toEqual([...target.stateDict().keys()]);
    target.dispose();
    online.dispose();
  });

  it('m = 1 keeps the target and m = 0 copies the online weights', () => {
    const target = new TinyEncoder(2);
    const online = new TinyEncoder(5);
    emaUpdate(target, online, 1);
    for (const data of values(target).values()) expect(data.every((x) => x === 2)).toBe(true);
    emaUpdate(target, online, 0);
    for (const data of values(target).values()) expect(data.every((x) => x === 5)).toBe(true);
    target.dispose();
    online.dispose();
  });

  it('leaves no tensor behind over 50 updates', () => {
    const target = new TinyEncoder(1);
    const online = new TinyEncoder(3);
    const ema = new EmaUpdater(target, online);
    ema.update(0.99);
    emaUpdate(target, online, 0.99);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 25; i++) {
      ema.update(0.99);
      emaUpdate(target, online, 0.99);
    }
    expect(tf.memory().numTensors).toBe(before);
    target.dispose();
    online.dispose();
  });
});

describe('EMA validation', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('lists missing, extra and reshaped keys and writes nothing', () => {
    const target = new TinyEncoder(1, 4, 3);
    const online = new TinyEncoder(3, 4, 5); // pos_embed [1, 5, 4] instead of [1, 3, 4]
    expect(() => emaUpdate(target, online, 0.5)).toThrow(/shape differs: pos_embed \(target \[1,3,4\], online \[1,5,4\]\)/);
    expect(() => new EmaUpdater(target, online)).toThrow(VjepaError);
    for (const data of values(target).values()) expect(data.every((x) => x === 1)).toBe(true);

    const other = new Linear(4, 4);
    let message = '';
    try {
      emaUpdate(target, other, 0.5);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^online: expected a module whose state dict has exactly the keys and shapes of the target/);
    expect(message).toMatch(/missing in online: pos_embed, patch_embed\.proj\.weight/);
    expect(message).toMatch(/only in online: weight, bias/);
    for (const m of [target, online, other]) m.dispose();
  });

  it.each([[-0.1], [1.5], [Number.NaN]])('rejects momentum %f', (m) => {
    const target = new TinyEncoder(1);
    const online = new TinyEncoder(3);
    expect(() => emaUpdate(target, online, m)).toThrow(/momentum: expected a number in \[0, 1\]/);
    expect(() => new EmaUpdater(target, online).update(m)).toThrow(VjepaError);
    target.dispose();
    online.dispose();
  });

  it('refuses to update from a disposed module', () => {
    const target = new TinyEncoder(1);
    const online = new TinyEncoder(3);
    const ema = new EmaUpdater(target, online);
    online.dispose();
    expect(() => ema.update(0.5)).toThrow(/disposed/);
    target.dispose();
  });
});
