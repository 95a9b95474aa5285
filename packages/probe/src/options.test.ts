import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { LinearProbe } from './linear';
import { trainProbe } from './train';

describe('probe configs refuse unknown keys', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  it.each([
    [() => new AttentiveProbe({ dim: 8, heads: 2, classes: 3, numHeads: 2 } as never), 'config.numHeads: expected one of the keys dim, classes, heads, depth, mlpRatio, seed, received an unknown key "numHeads". Did you mean "heads"?'],
    [() => new LinearProbe({ dim: 8, classes: 3, heads: 2 } as never), 'config.heads: expected one of the keys dim, classes, seed, received an unknown key "heads". Remove it or fix its name.'],
    // Refused before the probe or the features are looked at.
    [() => trainProbe({ probe: null, features: null, labels: [], epoch: 5 } as never), 'options.epoch: expected one of the keys probe, features, labels, epochs,'],
  ])('%#', (call, message) => {
    expect(call).toThrow(message);
  });
});
