/**
 * Checks of option and config objects shared by every package: an unknown key (a typo such as
 * `lerning_rate`, or a field of another object such as `imageSize` on a grid) is refused where it is
 * written, with the known keys listed and the closest one suggested, instead of being silently ignored.
 *
 * @packageDocumentation
 */
import { describe, fail, UsageError } from './errors';

/**
 * The edit distance (insertions, deletions, substitutions, and transpositions of neighbours) between two
 * strings, compared case-insensitively and with `_`/`-` ignored, so `learningRate`, `learning_rate` and
 * `learning-rate` are the same name.
 */
export function keyDistance(a: string, b: string): number {
  const x = normaliseKey(a);
  const y = normaliseKey(b);
  const rows = x.length + 1;
  const cols = y.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/**
 * The known key a mistyped `key` most likely meant: the nearest by {@link keyDistance} when it is close
 * enough (1 edit for keys of up to 3 letters, else a third of the length, 2 to 3 edits), otherwise one that
 * contains it or is contained in it (`batch` → `batch_size`; `rate` → `lr` is not guessed). Undefined when
 * nothing is close.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const length = normaliseKey(key).length;
  const limit = length <= 3 ? 1 : Math.min(3, Math.max(2, Math.floor(length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = keyDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  const plain = normaliseKey(key);
  if (plain.length < 3) return undefined;
  return known.find((candidate) => {
    const other = normaliseKey(candidate);
    return other.length >= 3 && (other.includes(plain) || plain.includes(other));
  });
}

/**
 * Throws unless `value` is a plain object (or undefined, which stands for `{}`) whose every key is one of
 * `known`. The error names the first unknown key as `argument.key`, lists the known keys and, when one is
 * close, asks "did you mean …?". Call it first in every public function taking an options or config
 * object, so a typo is an error before any work.
 *
 * @param argument - the name of the object in the caller's words, e.g. `'grid'` or `'optimization'`.
 * @param value - the object received.
 * @param known - every key the object may have.
 * @param aliases - names people write for a known key (`learning_rate` → `lr`): a key near one of them is
 *   pointed at the known key.
 * @returns the object, typed as a record, for the field checks that follow.
 * @example
 * checkKeys('grid', { frames: 16, imageSize: 64 }, ['frames', 'crop', 'patch', 'tubelet']);
 * // throws: grid.imageSize: expected one of the keys frames, crop, patch, tubelet, received an unknown key "imageSize"
 */
export function checkKeys(
  argument: string,
  value: unknown,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail(argument, `an object with the keys ${known.join(', ')}`, value);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const nearest = closestKey(key, [...known, ...Object.keys(aliases)]);
    const guess = nearest !== undefined && Object.hasOwn(aliases, nearest) ? aliases[nearest] : nearest;
    const hint = guess === undefined ? 'Remove it or fix its name.' : `Did you mean "${guess}"?`;
    throw new UsageError(`${argument}.${key}: expected one of the keys ${known.join(', ')}, received an unknown key ${describe(key)}. ${hint}`);
  }
  return record;
}

/**
 * Every key of an options type `T`, as an object the compiler checks against `T`: a key of `T` left out,
 * or one `T` does not have, fails the typecheck. Write the keys once this way instead of keeping a list
 * "in step" with the type by hand.
 */
export type KeyList<T> = { readonly [K in keyof T]-?: true };

/**
 * The keys of an options type, checked by the compiler, for {@link checkKeys}.
 *
 * @param keys - `{ key: true, … }` with every key of `T` and no other.
 * @returns the key names.
 * @example
 * interface GridOptions { frames?: number; crop?: number }
 * const GRID_KEYS = optionKeys<GridOptions>({ frames: true, crop: true }); // ['frames', 'crop']
 * // optionKeys<GridOptions>({ frames: true }) does not compile: `crop` is missing.
 */
export function optionKeys<T>(keys: KeyList<T>): readonly (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}
