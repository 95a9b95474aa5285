import { fail } from '@vjepa/core';

/** `value` (a number, or a string as a flag gives it) as an integer ≥ `min`; refused naming `name` otherwise. */
export function integer(name: string, value: unknown, min = 1): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail(name, `an integer ≥ ${min}`, value);
  return n;
}

/** `value` as a finite number ≥ `min` (> `min` when `exclusive`); refused naming `name` otherwise. */
export function finite(name: string, value: unknown, min: number, exclusive = false): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || (exclusive && n === min)) {
    fail(name, `a finite number ${exclusive ? '>' : '≥'} ${min}`, value);
  }
  return n;
}

/** `value` as a list of two numbers (a `[low, high]` range of the official config). */
export function pair(name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number')) {
    fail(name, 'a list of two numbers', value);
  }
  return [value[0], value[1]];
}
