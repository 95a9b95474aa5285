import { describe, expect, it } from 'vitest';
import { sameShape } from './same-shape';

describe('sameShape', () => {
  it('compares rank and every axis', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([], [])).toBe(true);
    expect(sameShape([6], [2, 3])).toBe(false);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([1, 2], [1, 2, 1])).toBe(false);
  });
});
