/**
 * Uniform error messages for the whole project: every bad argument, shape, config or file is reported
 * as `<argument>: expected <what>, received <what came>`, thrown as a {@link VjepaError}.
 *
 * @packageDocumentation
 */

/** The error class of every check in the V-JEPA packages, so callers can tell our errors apart. */
export class VjepaError extends Error {
  /**
   * @param message - a sentence a user can act on: what was wrong, what was expected, what to do.
   * @param options - standard `ErrorOptions`; pass `{ cause }` when wrapping a lower-level error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VjepaError';
  }
}

const MAX_STRING = 60;
const MAX_ITEMS = 8;
const MAX_KEYS = 6;

/**
 * A short printable form of any received value, for error messages: arrays and shapes as `[2, 3]`,
 * strings quoted, typed arrays as `Float32Array(12)`, tensors as `Tensor(float32, [2, 3])`, long
 * strings and arrays shortened, plain objects as `{key: value, …}`.
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
 * Throws a {@link VjepaError} whose message names the argument, what was expected and what came:
 * `${argument}: expected ${expected}, received ${describe(received)}` (plus `. ${hint}` if given).
 *
 * @param argument - the argument or field at fault, e.g. `'shape'` or `'model.safetensors: tensor "w" dtype'`.
 * @param expected - what would have been accepted, e.g. `'a positive integer'`.
 * @param received - the offending value; printed with {@link describe}.
 * @param hint - optionally, what the user can do about it.
 */
export function fail(argument: string, expected: string, received: unknown, hint?: string): never {
  const message = `${argument}: expected ${expected}, received ${describe(received)}`;
  throw new VjepaError(hint === undefined ? message : `${message}. ${hint}`);
}
