/**
 * A refused configuration or argument. The message names the argument, what was expected and what
 * was received, and it is thrown before any mask is sampled.
 */
export class MaskConfigError extends Error {
  /** The argument that was refused, as a path (`generators[1].spatialScale`). */
  readonly argument: string;
  /** What the argument should have been, in words. */
  readonly expected: string;
  /** The value that was received. */
  readonly received: unknown;

  constructor(argument: string, expected: string, received: unknown, hint?: string) {
    super(
      `@vjepa/masking: invalid ${argument}: expected ${expected}, received ${describeValue(received)}.` +
        (hint ? ` ${hint}` : ''),
    );
    this.name = 'MaskConfigError';
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}

/** A short, readable rendering of any value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, inner]) => `${key}: ${describeValue(inner)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return String(value);
}
