import { describe, expect, it } from 'vitest';
import { tokenCoords, tokenCount, tokenGrid, tokenIndex, type TokenGrid } from './grid';

describe('tokenGrid', () => {
  it.each([
    [{ frames: 16, height: 224, width: 224 }, { depth: 8, height: 14, width: 14 }, 1568],
    [{ frames: 16, height: 384, width: 384 }, { depth: 8, height: 24, width: 24 }, 4608],
    [{ frames: 8, height: 24, width: 24, tubelet: 2, patch: 8 }, { depth: 4, height: 3, width: 3 }, 36],
    [{ frames: 32, height: 224, width: 320 }, { depth: 16, height: 14, width: 20 }, 4480],
    [{ frames: 3, height: 14, width: 28, tubelet: 3, patch: 14 }, { depth: 1, height: 1, width: 2 }, 2],
  ])('%j → %j, %i tokens', (options, grid, count) => {
    expect(tokenGrid(options)).toEqual(grid);
    expect(tokenCount(tokenGrid(options))).toBe(count);
  });

  it.each([
    [{ frames: 15, height: 224, width: 224 }, 'frames must be a multiple of tubelet (2); received frames = 15'],
    [{ frames: 16, height: 225, width: 224 }, 'height must be a multiple of patch (16); received height = 225'],
    [{ frames: 16, height: 224, width: 200 }, 'width must be a multiple of patch (16); received width = 200'],
    [{ frames: 0, height: 224, width: 224 }, 'frames must be a positive integer; received 0'],
    [{ frames: 16, height: -16, width: 224 }, 'height must be a positive integer; received -16'],
    [{ frames: 16, height: 224, width: 22.4 }, 'width must be a positive integer; received 22.4'],
    [{ frames: 16, height: 224, width: 224, tubelet: 0 }, 'tubelet must be a positive integer; received 0'],
    [{ frames: 16, height: 224, width: 224, patch: '16' }, 'patch must be a positive integer; received "16"'],
  ])('rejects %j', (options, message) => {
    expect(() => tokenGrid(options as never)).toThrow(message);
    expect(() => tokenGrid(options as never)).toThrow(/^tokenGrid: /);
  });
});

describe('tokenIndex / tokenCoords', () => {
  const grid: TokenGrid = { depth: 8, height: 14, width: 14 };

  it('follows the official order: t·H\'·W\' + h·W\' + w (spec §1)', () => {
    expect(tokenIndex(grid, 0, 0, 0)).toBe(0);
    expect(tokenIndex(grid, 0, 0, 1)).toBe(1);
    expect(tokenIndex(grid, 0, 1, 0)).toBe(14);
    expect(tokenIndex(grid, 1, 0, 0)).toBe(196);
    expect(tokenIndex(grid, 1, 2, 3)).toBe(227);
    expect(tokenIndex(grid, 7, 13, 13)).toBe(1567);
    expect(tokenCoords(grid, 227)).toEqual({ t: 1, h: 2, w: 3 });
  });

  it('round-trips every token of a non-square grid, in increasing order', () => {
    const wide: TokenGrid = { depth: 3, height: 4, width: 5 };
    let expected = 0;
    for (let t = 0; t < 3; t++)
      for (let h = 0; h < 4; h++)
        for (let w = 0; w < 5; w++, expected++) {
          expect(tokenIndex(wide, t, h, w)).toBe(expected);
          expect(tokenCoords(wide, expected)).toEqual({ t, h, w });
        }
    expect(expected).toBe(tokenCount(wide));
  });

  it.each([
    [() => tokenIndex(grid, 8, 0, 0), 'tokenIndex: t must be an integer in [0, 7]; received 8'],
    [() => tokenIndex(grid, 0, -1, 0), 'tokenIndex: h must be an integer in [0, 13]; received -1'],
    [() => tokenIndex(grid, 0, 0, 1.5), 'tokenIndex: w must be an integer in [0, 13]; received 1.5'],
    [() => tokenCoords(grid, 1568), 'tokenCoords: index must be an integer in [0, 1567]; received 1568'],
    [() => tokenCoords(grid, Number.NaN), 'tokenCoords: index must be an integer in [0, 1567]; received NaN'],
    [() => tokenCount({ depth: 8, height: 0, width: 14 }), 'tokenCount: grid.height must be a positive integer; received 0'],
    [() => tokenCount(null as never), 'tokenCount: grid must be a token grid { depth, height, width }; received null'],
  ])('range-checks its arguments (%#)', (call, message) => {
    expect(call).toThrow(message);
  });
});
