import { describe, expect, it } from 'vitest';
import { tokenGrid } from './grid';
import { interpolatePosEmbed } from './interpolate';
import { PatchEmbed } from './patch-embed';
import { sincosPosEmbed3d } from './pos-embed';

describe('tubelet entry points refuse unknown option keys', () => {
  it.each([
    [() => tokenGrid({ frames: 16, height: 224, width: 224, patchSize: 16 } as never), 'tokenGrid: options.patchSize: expected one of the keys frames, height, width, tubelet, patch, received an unknown key "patchSize". Did you mean "patch"?'],
    [() => sincosPosEmbed3d({ dim: 12, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPowr: true } as never), 'sincosPosEmbed3d: options.uniformPowr: expected one of the keys'],
    [() => interpolatePosEmbed(new Float32Array(8), { dim: 1, from: { depth: 2, height: 2, width: 2 }, to: { depth: 2, height: 2, width: 2 }, mode: 'x' } as never), 'interpolatePosEmbed: options.mode: expected one of the keys dim, from, to'],
    [() => new PatchEmbed({ dim: 8, patch: 4, tubelett: 2 } as never), 'config.tubelett: expected one of the keys channels, dim, patch, tubelet, received an unknown key "tubelett". Did you mean "tubelet"?'],
  ])('%#', (call, message) => {
    expect(call).toThrow(message);
  });
});
