import { describe, UsageError } from '@vjepa/base';

/**
 * A refused configuration or argument (a {@link UsageError}, kind `usage`). The message names the
 * argument, what was expected and what was received, and it is thrown before any mask is sampled.
 */
export class MaskConfigError extends UsageError {
  /** The argument that was refused, as a path (`generators[1].spatialScale`). */
  readonly argument: string;
  /** What the argument should have been, in words. */
  readonly expected: string;
  /** The value that was received. */
  readonly received: unknown;

  /**
   * @param argument - the refused argument, as a path.
   * @param expected - what it should have been, in words.
   * @param received - the value that came; printed with `describe` of `@vjepa/base`.
   * @param hint - optionally, what to do about it.
   */
  constructor(argument: string, expected: string, received: unknown, hint?: string) {
    super(`@vjepa/masking: invalid ${argument}: expected ${expected}, received ${describe(received)}.` + (hint ? ` ${hint}` : ''));
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}
