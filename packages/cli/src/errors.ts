import { CommanderError } from 'commander';
import { UsageError } from '@vjepa/core';

/** Exit status of a usage error: a bad flag, option, config key or value, refused before any work. */
export const EXIT_USAGE = 2;
/** Exit status of a failure while working: a diverged loss, a full disk, unreadable data, a dead ffmpeg. */
export const EXIT_FAILURE = 1;

/**
 * The exit status for an error that ended a command: {@link EXIT_USAGE} for command-line mistakes
 * (commander's own, and every error of kind `usage`: {@link UsageError} and its subclasses, masking's
 * `MaskConfigError` among them) and {@link EXIT_FAILURE} for everything else — the runtime kinds (data,
 * checkpoint, lock, I/O, divergence) and foreign errors; 0 for `--help` and `--version`.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof UsageError) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/**
 * What the CLI prints for an error: one line `vjepa: <message>` (commander's `error: ` prefix dropped, line
 * breaks joined), and with `verbose` the stack and the chain of causes after it.
 */
export function formatError(error: unknown, verbose = false): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = `vjepa: ${message
    .replace(/^error: /, '')
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ')}`;
  if (!verbose) return line;
  const details: string[] = [];
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) details.push(cause.stack ?? String(cause));
  return [line, ...details].join('\n');
}
