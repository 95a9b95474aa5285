import { CheckpointError, VjepaError } from '@vjepa/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { Linear } from './linear';
import { StateDictError } from './state-dict-error';

describe('StateDictError', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is a CheckpointError (the weights do not fit the model), named after its class', () => {
    const error = new StateDictError('Linear', { loaded: [], missing: ['bias'], unexpected: [], mismatched: [] });
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toBeInstanceOf(VjepaError);
    expect([error.kind, error.name]).toEqual(['checkpoint', 'StateDictError']);
  });

  it('is what a strict load throws, with its report and the exact message', () => {
    const layer = new Linear(2, 3);
    const weights = { weight: { shape: [3, 4], data: new Float32Array(12) }, extra: { shape: [1], data: new Float32Array(1) } };
    let caught: unknown;
    try {
      layer.loadStateDict(weights, { source: 'w.safetensors' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StateDictError);
    expect((caught as StateDictError).report).toEqual({
      loaded: [],
      missing: ['bias'],
      unexpected: ['extra'],
      mismatched: [{ key: 'weight', expected: [3, 2], received: [3, 4] }],
    });
    expect((caught as Error).message).toBe(
      'cannot load weights from w.safetensors into Linear: missing keys: bias; unexpected keys: extra; wrong shapes: weight expected [3,2] received [3,4]. ' +
        'Check the model configuration, or pass { strict: false } to load the matching keys and get this report.',
    );
    expect(layer.loadStateDict(weights, { strict: false }).unexpected).toEqual(['extra']);
    layer.dispose();
  });
});
