/**
 * Every flag value of `vjepa` is parsed and checked here, by commander, before a command runs: a refused
 * value is a usage error (exit 2) `--flag: expected <what>, received "<value>"`. The flags several
 * commands share (backend, accelerator, threads, heads, encoder) are defined once.
 *
 * @packageDocumentation
 */
import { Option } from 'commander';
import { BACKEND_REQUESTS, fail, type AcceleratorRequest } from '@vjepa/core';

/** What a flag accepts: how to read one value (undefined: refused) and how to say what is expected. */
export interface ValueKind<T> {
  /** What one value must be, e.g. `an integer ≥ 1`. */
  expected: string;
  /** The same, for a comma-separated list of them: `integers ≥ 1`. */
  many: string;
  /** The value, or undefined when `text` is not one. */
  read(text: string): T | undefined;
  /** The accepted values, for the help, when there are few. */
  choices?: readonly string[];
}

/** Whole numbers ≥ `min`, written in digits. */
export function integer(min = 1): ValueKind<number> {
  return {
    expected: `an integer ≥ ${min}`,
    many: `integers ≥ ${min}`,
    read: (text) => (/^\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) && Number(text) >= min ? Number(text) : undefined),
  };
}

/** Finite numbers > 0 (`1e-3` included). */
export const positiveNumber: ValueKind<number> = {
  expected: 'a positive number',
  many: 'positive numbers',
  read: (text) => (text.trim() !== '' && Number.isFinite(Number(text)) && Number(text) > 0 ? Number(text) : undefined),
};

/** Any non-empty word (a label name). */
export const name: ValueKind<string> = { expected: 'a name', many: 'names', read: (text) => (text.trim() === '' ? undefined : text.trim()) };

/** One of `values`. */
export function oneOf<T extends string>(values: readonly T[]): ValueKind<T> {
  return {
    expected: `one of ${values.join(', ')}`,
    many: values.join(', '),
    read: (text) => (values as readonly string[]).includes(text.trim()) ? (text.trim() as T) : undefined,
    choices: values,
  };
}

/** A comma-separated list of `item` values (spaces around the commas allowed). */
export function listOf<T>(item: ValueKind<T>): ValueKind<T[]> {
  return {
    expected: `a comma-separated list of ${item.many}`,
    many: `lists of ${item.many}`,
    read: (text) => {
      const values = text.split(',').map((part) => item.read(part));
      return values.length > 0 && values.every((value) => value !== undefined) ? (values as T[]) : undefined;
    },
  };
}

/**
 * A flag whose value commander parses with `kind`: a refused value throws a usage error naming the flag,
 * what it expects and what it received.
 *
 * @param fallback - the default (a parsed value, shown in the help).
 */
export function option<T>(flags: string, description: string, kind: ValueKind<T>, fallback?: T): Option {
  const flag = new Option(flags, description);
  if (kind.choices) flag.choices(kind.choices);
  flag.argParser((text: string) => {
    const value = kind.read(text);
    return value === undefined ? fail(flag.long ?? flag.name(), kind.expected, text) : value;
  });
  if (fallback === undefined) return flag;
  return Array.isArray(fallback) ? flag.default(fallback, fallback.join(',')) : flag.default(fallback);
}

/** `--backend <name>`: the tfjs backend (default `auto`). */
export function backendOption(): Option {
  return option('--backend <name>', 'tfjs backend', oneOf(BACKEND_REQUESTS), 'auto');
}

/** `--accelerator <name>`: the native kernels on wasm (default `auto`). */
export function acceleratorOption(): Option {
  const description = "native kernels on wasm: 'auto' (when @vjepa/accelerate built), 'native' (required) or 'none' (tfjs's own)";
  return option('--accelerator <name>', description, oneOf<AcceleratorRequest>(['auto', 'native', 'none']), 'auto');
}

/** `--threads <n>`: threads of the native kernels' pool (the BLAS itself runs single-threaded). */
export function threadsOption(): Option {
  return option('--threads <n>', "threads of the native kernels' own pool (default: VJEPA_THREADS, else the CPUs this process may use, at most 8)", integer(1));
}

/** `--heads <n>`: what the tensors of an official `.pth.tar` cannot say. */
export function headsOption(): Option {
  return option('--heads <n>', 'with a .pth.tar of a width that is no official size: its attention heads', integer(1));
}

/** `--encoder <which>`: which encoder of a checkpoint (default `target`, as the official evaluation). */
export function encoderOption(): Option {
  return option('--encoder <which>', 'target | online', oneOf(['target', 'online'] as const), 'target');
}
