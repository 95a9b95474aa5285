import { MaskConfigError } from './errors.js';

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
    const guess = Object.hasOwn(aliases, key) ? aliases[key] : nearestKey(key, known);
    throw new MaskConfigError(
      `${argument}.${key}`,
      `a known key (one of ${known.join(', ')})`,
      key,
      guess === undefined ? 'Remove it or fix its name.' : `Did you mean "${guess}"?`,
    );
  }
  return fields;
}

/** The known key within 1 edit (keys up to 3 letters) or ⌊length / 3⌋ edits (2 to 3) of `key`, ignoring case, `_` and `-`; undefined if none. */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const length = plain(key).length;
  const limit = length <= 3 ? 1 : Math.min(3, Math.max(2, Math.floor(length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = editDistance(plain(key), plain(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
