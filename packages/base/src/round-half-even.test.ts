import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round-half-even';

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [4.4999, 4],
    [4.5001, 5],
    [6, 6],
    [0.49, 0],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
  ])('round(%f) = %i as in Python 3', (x, expected) => {
    expect(roundHalfEven(x)).toBe(expected);
  });
});
