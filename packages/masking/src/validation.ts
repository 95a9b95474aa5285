import { closestKey } from '@vjepa/base';
import { MaskConfigError } from './errors';

/** Throws unless `value` is an integer ≥ `min`. Returns it, typed. */
export function requireInteger(argument: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new MaskConfigError(argument, `an integer ≥ ${min}`, value);
  }
  return value;
}

/** Throws unless `value` is a finite number in (0, 1]. */
export function requireFraction(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new MaskConfigError(argument, 'a number in (0, 1]', value);
  }
  return value;
}

/**
 * Throws unless `value` is a pair `[min, max]` of finite numbers with `min ≤ max`, both inside
 * `(0, 1]` (`unit: true`) or both positive (`unit: false`). Returns a fresh copy.
 */
export function requireRange(argument: string, value: unknown, unit: boolean): [number, number] {
  const expected = unit
    ? 'a pair [min, max] of numbers in (0, 1] with min ≤ max'
    : 'a pair [min, max] of positive finite numbers with min ≤ max';
  if (!Array.isArray(value) || value.length !== 2) throw new MaskConfigError(argument, expected, value);
  const [low, high] = value as unknown[];
  const inside = (x: unknown): x is number =>
    typeof x === 'number' && Number.isFinite(x) && x > 0 && (!unit || x <= 1);
  if (!inside(low) || !inside(high) || low > high) throw new MaskConfigError(argument, expected, value);
  return [low, high];
}

/** Throws unless `value` is a plain object (a config), so that field checks can follow. */
export function requireObject(argument: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MaskConfigError(argument, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** Throws unless `batchSize` is an integer ≥ 1. */
export function requireBatchSize(batchSize: unknown): number {
  return requireInteger('batchSize', batchSize, 1);
}

/**
 * Throws unless every key of the config object `fields` is one of `known`: a typo (`numBlock`) or a field
 * of another object (`imageSize` on a grid) is refused where it is written, with the known keys listed
 * and the nearest one (or the one `aliases` names for it: `imageSize` → `crop`) suggested, instead of being
 * silently ignored. Returns `fields`.
 */
export function requireKnownKeys(
  argument: string,
  fields: Record<string, unknown>,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  for (const key of Object.keys(fields)) {
    if (known.includes(key)) continue;
    const guess = Object.hasOwn(aliases, key) ? aliases[key] : closestKey(key, known);
    throw new MaskConfigError(
      `${argument}.${key}`,
      `a known key (one of ${known.join(', ')})`,
      key,
      guess === undefined ? 'Remove it or fix its name.' : `Did you mean "${guess}"?`,
    );
  }
  return fields;
}
