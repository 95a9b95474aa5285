import { describe as suite, expect, it } from 'vitest';
import {
  CheckpointError,
  DataError,
  DivergenceError,
  IoError,
  LockError,
  UsageError,
  VjepaError,
  describe,
  fail,
  formatFailure,
  type ErrorKind,
} from './errors';

suite('describe', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a shape', [2, 3], '[2, 3]'],
    ['an empty array', [], '[]'],
    ['a nested array', [[1, 2], [3]], '[[1, 2], [3]]'],
    ['a deeply nested array', [[[1]]], '[[[…]]]'],
    ['a long array', Array.from({ length: 10 }, (_, i) => i), '[0, 1, 2, 3, 4, 5, 6, 7, … (10 items)]'],
    ['a string', 'F8', '"F8"'],
    ['a long string', 'x'.repeat(100), `"${'x'.repeat(59)}…"`],
    ['a number', 1.5, '1.5'],
    ['negative zero', -0, '-0'],
    ['NaN', NaN, 'NaN'],
    ['a bigint', 5n, '5n'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a boolean', true, 'true'],
    ['a Float32Array', new Float32Array(12), 'Float32Array(12)'],
    ['a BigInt64Array', new BigInt64Array(3), 'BigInt64Array(3)'],
    ['an ArrayBuffer', new ArrayBuffer(16), 'ArrayBuffer(16)'],
    ['a Map', new Map([[1, 2]]), 'Map(1)'],
    ['a plain object', { dtype: 'F32', n: 2 }, '{dtype: "F32", n: 2}'],
    ['a plain tensor record', { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) }, '{dtype: "F32", shape: [2, 3], data: Float32Array(6)}'],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 }), '{a: 1}'],
    ['an error', new RangeError('bad'), 'RangeError("bad")'],
    ['a function', function init() {}, 'function init'],
  ];
  it.each(cases)('prints %s', (_, value, expected) => {
    expect(describe(value)).toBe(expected);
  });

  it('names the class of an instance', () => {
    class Tensor {
      constructor(readonly shape: number[], readonly dtype: string) {}
    }
    expect(describe(new Tensor([1, 36, 48], 'float32'))).toBe('Tensor(float32, [1, 36, 48])');
    class Point {
      x = 1;
    }
    expect(describe(new Point())).toBe('Point {x: 1}');
  });
});

suite('fail', () => {
  it('throws a UsageError naming argument, expectation and received value', () => {
    expect(() => fail('shape', 'an array of 3 integers', [2, 3])).toThrow(
      new UsageError('shape: expected an array of 3 integers, received [2, 3]'),
    );
    let caught: unknown;
    try {
      fail('dtype', 'one of F32, I32', 'U8', 'Convert the tensor first');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect(caught).toBeInstanceOf(VjepaError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('UsageError');
    expect((caught as VjepaError).kind).toBe('usage');
    expect((caught as Error).message).toBe('dtype: expected one of F32, I32, received "U8". Convert the tensor first');
  });

  it('throws the class it is given, with the same message', () => {
    expect(() => fail('clip.mp4: frame 3', 'a 64 × 64 frame', [32, 32], undefined, DataError)).toThrow(DataError);
    expect(formatFailure('x', 'a number', 'y', 'Pass 1')).toBe('x: expected a number, received "y". Pass 1');
  });

  it('keeps a cause', () => {
    const cause = new Error('low level');
    expect(new UsageError('high level', { cause }).cause).toBe(cause);
  });
});

suite('error kinds', () => {
  const cases: Array<[new (message: string) => VjepaError, ErrorKind]> = [
    [UsageError, 'usage'],
    [DataError, 'data'],
    [CheckpointError, 'checkpoint'],
    [LockError, 'lock'],
    [IoError, 'io'],
    [DivergenceError, 'divergence'],
  ];
  it.each(cases)('%o has its kind and its class name', (Kind, kind) => {
    const error = new Kind('m');
    expect(error.kind).toBe(kind);
    expect(error.name).toBe(Kind.name);
    expect(error).toBeInstanceOf(VjepaError);
  });

  it('a subclass keeps its kind and takes its own name', () => {
    class ClipError extends DataError {}
    const error = new ClipError('m');
    expect([error.kind, error.name, error instanceof DataError]).toEqual(['data', 'ClipError', true]);
  });
});
