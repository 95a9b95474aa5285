import { fail, type AcceleratorRequest, type BackendRequest } from '@vjepa/core';
import { BENCH_CONFIG, readBenchConfig, type BenchConfig } from './config';

/** The flags of `vjepa bench` as commander hands them over (strings, or booleans for switches). */
export interface BenchFlags {
  what?: string;
  batch?: string;
  runs?: string;
  backends?: string;
  config?: string;
  json?: boolean;
  profile?: boolean;
  steps?: string;
  accelerator?: string;
  threads?: string;
}

/** What `vjepa bench` runs, resolved and checked from its flags. */
export interface BenchPlan {
  /** `step`: the full V-JEPA training step (default); `forward`: the encoder forward alone. */
  what: 'step' | 'forward';
  /** Backends, in order (default `['wasm']`). */
  backends: BackendRequest[];
  /** Timed runs per backend, after the warm-ups (default 10). */
  runs: number;
  /** Untimed runs before the timed ones (2). */
  warmup: number;
  /** Model and clip sizes (the bench configuration, or `--config`, with `--batch` on top). */
  config: BenchConfig;
  /** Print one JSON line per backend. */
  json: boolean;
  /** Profile one step per backend and print its kernels ranked by time. */
  profile: boolean;
  /** Untimed steps after the timed ones, for a memory soak (0: none). */
  soakSteps: number;
  /** Native kernels on wasm: `auto` (default), `native` (required) or `none` (tfjs's own kernels). */
  accelerator: AcceleratorRequest;
  /** BLAS threads of the native kernels (default: `selectBackend`'s, 1 or `VJEPA_BLAS_THREADS`). */
  threads?: number;
}

const ACCELERATORS: readonly AcceleratorRequest[] = ['auto', 'native', 'none'];

const BACKENDS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

function integerFlag(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) fail(flag, `an integer ≥ ${min}`, value);
  return n;
}

/**
 * Checks every flag (and reads `--config`) before anything is run: `--what` is `step` or `forward`,
 * `--backends` a comma list of auto/tensorflow/wasm/cpu, `--runs` and `--batch` positive integers,
 * `--steps` a non-negative integer.
 */
export function parseBenchFlags(flags: BenchFlags): BenchPlan {
  const what = flags.what ?? 'step';
  if (what !== 'step' && what !== 'forward') fail('--what', 'step or forward', what);
  const backends = (flags.backends ?? 'wasm').split(',').map((name) => name.trim());
  for (const name of backends) {
    if (!(BACKENDS as readonly string[]).includes(name)) fail('--backends', `a comma-separated list of ${BACKENDS.join(', ')}`, flags.backends);
  }
  const runs = integerFlag('--runs', flags.runs ?? '10', 1);
  const soakSteps = integerFlag('--steps', flags.steps ?? '0', 0);
  const base = flags.config === undefined ? BENCH_CONFIG : readBenchConfig(flags.config);
  const config = flags.batch === undefined ? base : { ...base, batch: integerFlag('--batch', flags.batch, 1) };
  const accelerator = (flags.accelerator ?? 'auto') as AcceleratorRequest;
  if (!ACCELERATORS.includes(accelerator)) fail('--accelerator', ACCELERATORS.join(', '), flags.accelerator);
  const threads = flags.threads === undefined ? undefined : integerFlag('--threads', flags.threads, 1);
  return {
    what,
    backends: backends as BackendRequest[],
    runs,
    warmup: 2,
    config,
    json: flags.json === true,
    profile: flags.profile === true,
    soakSteps,
    accelerator,
    ...(threads === undefined ? {} : { threads }),
  };
}
