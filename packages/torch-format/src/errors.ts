/**
 * The error class of this package and the helper that throws it. Messages follow the project's form —
 * `<argument>: expected <what>, received <what came>` (`fail` of `@vjepa/base`) — so a user can act on them.
 * What is wrong in a file is a {@link TorchFormatError} (a `CheckpointError`); a bad argument is a
 * `UsageError` of `@vjepa/base`.
 *
 * @packageDocumentation
 */
import { CheckpointError, fail } from '@vjepa/base';

/** Thrown for every malformed, truncated, unsupported or unsafe PyTorch file (kind `checkpoint`). */
export class TorchFormatError extends CheckpointError {}

/**
 * Throws a {@link TorchFormatError} `<argument>: expected <expected>, received <received>[. hint]`, for
 * what is wrong in a file (a received value in words: `verbatim('an empty stack')` of `@vjepa/base`).
 */
export function failFile(argument: string, expected: string, received: unknown, hint?: string): never {
  fail(argument, expected, received, hint, TorchFormatError);
}
