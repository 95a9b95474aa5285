/**
 * The project's errors. Every error class of the V-JEPA packages extends {@link VjepaError}, and each
 * has a **kind** that says whose fault it is: `usage` (a bad argument, flag, config value or unknown key:
 * the caller can fix the call) or one of the runtime kinds (`data`, `checkpoint`, `lock`, `io`,
 * `divergence`: something went wrong while working). A command line maps usage to exit status 2 and
 * the rest to 1 with `instanceof UsageError`, never by class name.
 *
 * Messages follow one form, `<argument>: expected <what>, received <what came>` ({@link fail}).
 *
 * @packageDocumentation
 */

/** Whose fault an error is: the caller's (`usage`) or something met while working (the rest). */
export type ErrorKind = 'usage' | 'data' | 'checkpoint' | 'lock' | 'io' | 'divergence';

/**
 * The root of every error class of the V-JEPA packages (the only one that extends `Error` directly), so
 * callers can tell our errors apart and read their {@link ErrorKind}.
 */
export abstract class VjepaError extends Error {
  /** Whose fault the error is; fixed by the subclass. */
  abstract readonly kind: ErrorKind;

  /**
   * @param message - a sentence a user can act on: what was wrong, what was expected, what to do.
   * @param options - standard `ErrorOptions`; pass `{ cause }` when wrapping a lower-level error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad argument, option, flag, config value or unknown key, refused before any work (kind `usage`). */
export class UsageError extends VjepaError {
  readonly kind = 'usage' as const;
}

/** Input data that cannot be used: an unreadable clip, a malformed data file, a wrong label (kind `data`). */
export class DataError extends VjepaError {
  readonly kind = 'data' as const;
}

/** A checkpoint or weights file that is damaged, unsafe, or does not fit the model (kind `checkpoint`). */
export class CheckpointError extends VjepaError {
  readonly kind = 'checkpoint' as const;
}

/** A resource held by someone else, such as a run folder locked by a live process (kind `lock`). */
export class LockError extends VjepaError {
  readonly kind = 'lock' as const;
}

/** A read or write of the file system that failed: a full disk, a missing folder, no permission (kind `io`). */
export class IoError extends VjepaError {
  readonly kind = 'io' as const;
}

/** Training that left the numbers behind: a non-finite loss or gradient (kind `divergence`). */
export class DivergenceError extends VjepaError {
  readonly kind = 'divergence' as const;
}

/**
 * A received value given in words rather than as a value, which {@link describe} prints as it is, without
 * quotes: `fail('format', 'a zip archive', verbatim('a tar archive'))` says `received a tar archive`.
 * Make one with {@link verbatim}.
 */
export class Verbatim {
  /** @param text - the words to print. */
  constructor(readonly text: string) {}
}

/**
 * Marks `text` to be printed as is by {@link describe} and {@link fail} (not quoted as a string would be).
 *
 * @param text - what was received, in words, e.g. `'an empty stack'` or `'0x1c2f0a3b'`.
 */
export function verbatim(text: string): Verbatim {
  return new Verbatim(text);
}

const MAX_STRING = 60;
const MAX_ITEMS = 8;
const MAX_KEYS = 6;

/**
 * A short printable form of any received value, for error messages: arrays and shapes as `[2, 3]`,
 * strings quoted, typed arrays as `Float32Array(12)`, tensors as `Tensor(float32, [2, 3])`, long
 * strings and arrays shortened, plain objects as `{key: value, …}`, a {@link verbatim} text as it is.
 *
 * @param value - anything.
 * @returns a one-line description, never throwing.
 */
export function describe(value: unknown): string {
  return describeAt(value, 0);
}

function describeAt(value: unknown, depth: number): string {
  if (typeof value === 'string') return describeString(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (value instanceof Verbatim) return value.text;
  if (Array.isArray(value)) return depth > 1 ? '[…]' : describeArray(value, depth);
  return describeObject(value, depth);
}

function describeString(value: string): string {
  const shown = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING - 1)}…` : value;
  return JSON.stringify(shown);
}

function describeArray(value: readonly unknown[], depth: number): string {
  const items = value.slice(0, MAX_ITEMS).map((item) => describeAt(item, depth + 1));
  if (value.length > MAX_ITEMS) items.push(`… (${value.length} items)`);
  return `[${items.join(', ')}]`;
}

function describeObject(value: object, depth: number): string {
  const name = value.constructor?.name ?? 'Object';
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return `${name}(${length})`;
  }
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  if (value instanceof Map || value instanceof Set) return `${name}(${value.size})`;
  if (value instanceof Error) return `${name}(${describeString(value.message)})`;
  const tensorLike = value as { shape?: unknown; dtype?: unknown };
  if (name !== 'Object' && Array.isArray(tensorLike.shape) && typeof tensorLike.dtype === 'string') {
    return `${name}(${tensorLike.dtype}, ${describeArray(tensorLike.shape, 1)})`;
  }
  if (depth > 1) return '{…}';
  return `${name === 'Object' ? '' : `${name} `}${describeFields(value, depth)}`;
}

function describeFields(value: object, depth: number): string {
  const keys = Object.keys(value);
  const fields = keys
    .slice(0, MAX_KEYS)
    .map((key) => `${key}: ${describeAt((value as Record<string, unknown>)[key], depth + 1)}`);
  if (keys.length > MAX_KEYS) fields.push(`… (${keys.length} keys)`);
  return `{${fields.join(', ')}}`;
}

/**
 * Throws a {@link UsageError} (or the given class) whose message names the argument, what was expected and what came:
 * `${argument}: expected ${expected}, received ${describe(received)}` (plus `. ${hint}` if given).
 *
 * @param argument - the argument or field at fault, e.g. `'shape'` or `'model.safetensors: tensor "w" dtype'`.
 * @param expected - what would have been accepted, e.g. `'a positive integer'`.
 * @param received - the offending value; printed with {@link describe}.
 * @param hint - optionally, what the user can do about it.
 * @param kind - the class to throw; {@link UsageError} by default, e.g. {@link DataError} for a bad file.
 */
export function fail(
  argument: string,
  expected: string,
  received: unknown,
  hint?: string,
  kind: new (message: string) => VjepaError = UsageError,
): never {
  throw new kind(formatFailure(argument, expected, received, hint));
}

/** The message {@link fail} throws: `${argument}: expected ${expected}, received ${describe(received)}[. hint]`. */
export function formatFailure(argument: string, expected: string, received: unknown, hint?: string): string {
  const message = `${argument}: expected ${expected}, received ${describe(received)}`;
  return hint === undefined ? message : `${message}. ${hint}`;
}
