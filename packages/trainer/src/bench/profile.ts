import * as tf from '@tensorflow/tfjs-core';

/** One kernel name's share of a profiled step. */
export interface KernelTotal {
  name: string;
  /** How many times it ran. */
  count: number;
  /** Its summed `kernelTimeMs`. */
  totalMs: number;
}

/** A step's kernels ranked by total time. */
export interface ProfileSummary {
  /** Registered kernels only, by total time, longest first (ties by name). */
  kernels: KernelTotal[];
  /** Number of kernel invocations (scopes excluded). */
  kernelCount: number;
  /** Summed time of those kernels. */
  kernelMs: number;
  /** Entries left out because they are scopes (custom-gradient ops), whose time includes their kernels'. */
  scopeCount: number;
  /** Matrix-product kernels with a batch of more than one matrix (off wasm's 2-D XNNPACK fast path). */
  batchedMatmuls: number;
  /** Wall time of the profiled run, when the caller measured it (profiling itself adds some). */
  wallMs?: number;
}

/** What `tf.profile` records for one entry (the fields used here). */
export interface ProfiledKernel {
  name: string;
  /** A number once `tf.profile` has resolved it; anything else counts as 0 ms. */
  kernelTimeMs: unknown;
  /** Shapes of the inputs (absent or null entries are skipped). */
  inputShapes?: readonly (readonly number[] | null)[];
}

const MATMULS = new Set(['BatchMatMul', '_FusedMatMul']);

/** A matrix product over a batch of matrices: an input of rank ≥ 3 with more than one matrix. */
function isBatchedMatmul(entry: ProfiledKernel): boolean {
  return MATMULS.has(entry.name) && (entry.inputShapes ?? []).some((shape) => shape != null && shape.length >= 3 && shape.slice(0, -2).reduce((a, b) => a * b, 1) > 1);
}

/**
 * Aggregates the entries of `tf.profile(...).kernels` by name. Ops written with `tf.customGrad` are
 * recorded under their scope's name (often `unnamed scope`) **and** their inner kernels are recorded too,
 * so only entries that are registered kernels count: `isKernel(name)` decides (default: a kernel of
 * that name is registered for the active backend).
 */
export function summarizeProfile(
  entries: readonly ProfiledKernel[],
  isKernel: (name: string) => boolean = (name) => tf.getKernel(name, tf.getBackend()) !== undefined,
): ProfileSummary {
  const totals = new Map<string, KernelTotal>();
  let scopeCount = 0;
  let batchedMatmuls = 0;
  for (const entry of entries) {
    if (!isKernel(entry.name)) {
      scopeCount += 1;
      continue;
    }
    if (isBatchedMatmul(entry)) batchedMatmuls += 1;
    const ms = typeof entry.kernelTimeMs === 'number' ? entry.kernelTimeMs : 0;
    const total = totals.get(entry.name) ?? { name: entry.name, count: 0, totalMs: 0 };
    total.count += 1;
    total.totalMs += ms;
    totals.set(entry.name, total);
  }
  const kernels = [...totals.values()].sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name));
  return {
    kernels,
    kernelCount: kernels.reduce((sum, k) => sum + k.count, 0),
    kernelMs: kernels.reduce((sum, k) => sum + k.totalMs, 0),
    scopeCount,
    batchedMatmuls,
  };
}

/** The summary as text lines: one per kernel (name, count, total ms, share, mean µs), then the totals. */
export function formatProfile(summary: ProfileSummary, limit = 40): string[] {
  const lines = ['kernel                          count   total ms   share   mean µs'];
  for (const k of summary.kernels.slice(0, limit)) {
    const share = summary.kernelMs > 0 ? (100 * k.totalMs) / summary.kernelMs : 0;
    lines.push(
      `${k.name.padEnd(30)} ${String(k.count).padStart(6)} ${k.totalMs.toFixed(1).padStart(10)} ${`${share.toFixed(1)} %`.padStart(7)} ${((1000 * k.totalMs) / k.count).toFixed(1).padStart(9)}`,
    );
  }
  if (summary.kernels.length > limit) lines.push(`… ${summary.kernels.length - limit} more kernel names`);
  lines.push(
    `total: ${summary.kernelCount} kernels (${summary.kernels.length} names), ${summary.kernelMs.toFixed(1)} ms; ` +
      `${summary.scopeCount} scope entries of custom-gradient ops left out (their time is their kernels'); ` +
      `${summary.batchedMatmuls} batched matrix products (off wasm's 2-D fast path)`,
  );
  if (summary.wallMs !== undefined) {
    lines.push(`profiled run: ${summary.wallMs.toFixed(1)} ms wall, of which ${summary.kernelMs.toFixed(1)} ms in kernels (the rest: dispatch, tape, JS)`);
  }
  return lines;
}
