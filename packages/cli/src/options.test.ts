import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { UsageError } from '@vjepa/core';
import { integer, listOf, name, oneOf, option, positiveNumber } from './options';

describe('flag value kinds', () => {
  it.each([
    ['7', 7],
    [' 12 ', 12],
    ['0', undefined],
    ['2.5', undefined],
    ['-3', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['99999999999999999999', undefined],
  ])('integer(1) reads %j as %j', (text, value) => {
    expect(integer(1).read(text)).toBe(value);
  });

  it('reads positive numbers, names, choices and lists', () => {
    expect([positiveNumber.read('1e-3'), positiveNumber.read('0.5'), positiveNumber.read('0'), positiveNumber.read('x'), positiveNumber.read('Infinity')]).toEqual([
      0.001,
      0.5,
      undefined,
      undefined,
      undefined,
    ]);
    expect(integer(0).read('0')).toBe(0);
    expect([name.read(' shape '), name.read(' ')]).toEqual(['shape', undefined]);
    expect([oneOf(['a', 'b']).read('b'), oneOf(['a', 'b']).read('c')]).toEqual(['b', undefined]);
    expect(listOf(positiveNumber).read('1e-3, 3e-3')).toEqual([0.001, 0.003]);
    expect(listOf(positiveNumber).read('1e-3,,3e-3')).toBeUndefined();
    expect(listOf(oneOf(['a', 'b'])).expected).toBe('a comma-separated list of a, b');
  });

  it('a refused value is a usage error naming the flag, the expected and the received value; a default is already parsed', async () => {
    const parse = (...args: string[]) => {
      let seen: Record<string, unknown> = {};
      const program = new Command('t')
        .exitOverride()
        .addOption(option('--runs <n>', 'runs', integer(1), 10))
        .addOption(option('--kind <k>', 'kind', oneOf(['a', 'b'])))
        .action((o: Record<string, unknown>) => {
          seen = o;
        });
      program.parse(['node', 't', ...args]);
      return seen;
    };
    expect(parse()).toEqual({ runs: 10 });
    expect(parse('--runs', '3', '--kind', 'b')).toEqual({ runs: 3, kind: 'b' });
    expect(() => parse('--runs', 'x')).toThrow(new UsageError('--runs: expected an integer ≥ 1, received "x"'));
    expect(() => parse('--runs', 'x')).toThrow(UsageError);
    expect(() => parse('--kind', 'c')).toThrow('--kind: expected one of a, b, received "c"');
  });
});
