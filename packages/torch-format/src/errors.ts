/**
 * The one error class of this package. Messages follow the project's form — `<argument>: expected <what>,
 * received <what came>` — so a user can act on them; this package has no dependency, so it keeps its own.
 *
 * @packageDocumentation
 */

/** Thrown for every malformed, truncated, unsupported or unsafe PyTorch file and every bad argument. */
export class TorchFormatError extends Error {
  /** @param message - what was wrong, what was expected, what came. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TorchFormatError';
  }
}

/** A short printable form of a received value. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.slice(0, 8).map(show).join(', ')}${value.length > 8 ? ', …' : ''}]`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length ?? value.byteLength})`;
  if (value !== null && typeof value === 'object') return value.constructor?.name ?? 'object';
  return String(value);
}

/** Throws `<argument>: expected <expected>, received <received>[. hint]`. */
export function fail(argument: string, expected: string, received: unknown, hint?: string): never {
  const text = typeof received === 'string' && received.startsWith('\u0000') ? received.slice(1) : show(received);
  throw new TorchFormatError(`${argument}: expected ${expected}, received ${text}${hint ? `. ${hint}` : ''}`);
}

/** Marks a received value to be printed as is (not quoted), e.g. `raw('a compressed entry')`. */
export function raw(text: string): string {
  return `\u0000${text}`;
}
