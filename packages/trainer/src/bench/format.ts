import { formatProfile } from './profile';
import type { BenchResult } from './run';

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * The `--json` line of one backend: exactly `backend`, `accelerator`, `median_ms`, `min_ms`,
 * `clips_per_s`, `gflops`, `peak_rss_mb`, `tensors_delta`; with a soak also `soak_steps`,
 * `rss_start_mb`, `rss_end_mb`, `tensors_start`, `tensors_end`, `rss_tenths_mb`; with the native
 * kernels also `threads` (their pool), `gemm_core` (OpenBLAS's core kernel or the built-in GEMM),
 * `gemm_config` (the BLAS's configuration string), `openblas_coretype` (the variable's value, or null),
 * `pool_backoffs` and `pool_inline_regions` (over the timed runs: how often the pool stopped splitting
 * because it did not pay, e.g. beside a competing process, and how many regions it then ran inline);
 * with `interleaveThreads` also `block_medians_ms` (the median of each block, block k of every size side by side).
 */
export function benchJson(result: BenchResult): Record<string, string | number | number[] | null> {
  const line: Record<string, string | number | number[] | null> = {
    backend: result.backend,
    accelerator: result.accelerator,
    median_ms: round(result.medianMs, 1),
    min_ms: round(result.minMs, 1),
    clips_per_s: round(result.clipsPerS, 2),
    gflops: round(result.gflops, 2),
    peak_rss_mb: round(result.peakRssMb, 1),
    tensors_delta: result.tensorsDelta,
  };
  if (result.soak) {
    Object.assign(line, {
      soak_steps: result.soak.steps,
      rss_start_mb: round(result.soak.rssStartMb, 1),
      rss_end_mb: round(result.soak.rssEndMb, 1),
      tensors_start: result.soak.tensorsStart,
      tensors_end: result.soak.tensorsEnd,
      rss_tenths_mb: result.soak.rssTenthsMb.map((mb) => round(mb, 1)),
    });
  }
  if (result.native) {
    const { threads, gemm, backoffs, inlineRegions } = result.native;
    Object.assign(line, {
      threads,
      gemm_core: gemm.core,
      gemm_config: gemm.config,
      openblas_coretype: gemm.coreType,
      pool_backoffs: backoffs,
      pool_inline_regions: inlineRegions,
    });
  }
  if (result.blockMediansMs) line.block_medians_ms = result.blockMediansMs.map((ms) => round(ms, 1));
  return line;
}

/** The table's header line. */
export const BENCH_TABLE_HEADER = 'backend   accelerator   median ms    min ms   clips/s   GFLOP/s   peak RSS MB   tensors Δ';

/** One table row. */
export function benchRow(result: BenchResult): string {
  return (
    `${result.backend.padEnd(9)} ${result.accelerator.padEnd(11)} ${result.medianMs.toFixed(1).padStart(11)} ${result.minMs.toFixed(1).padStart(9)} ` +
    `${result.clipsPerS.toFixed(2).padStart(9)} ${result.gflops.toFixed(2).padStart(9)} ${result.peakRssMb.toFixed(0).padStart(13)} ${String(result.tensorsDelta).padStart(11)}`
  );
}

/** The lines under a row: the accelerator and why, the soak, the profile. */
export function benchDetails(result: BenchResult): string[] {
  const lines = [`  accelerator ${result.accelerator} — ${result.acceleratorReason}`];
  if (result.native) {
    const { threads, gemm, backoffs, inlineRegions } = result.native;
    lines.push(`  gemm ${gemm.core} (${gemm.config}; OPENBLAS_CORETYPE ${gemm.coreType ?? 'unset'}), ${threads} thread(s)`);
    if (backoffs > 0) lines.push(`  pool backed off ${backoffs} time(s), ${inlineRegions} region(s) inline (splitting did not pay: a competing process?)`);
  }
  if (result.adapter) lines.push(`  adapter ${result.adapter}`);
  if (result.soak) {
    const s = result.soak;
    lines.push(`  soak: ${s.steps} more runs, RSS ${s.rssStartMb.toFixed(1)} → ${s.rssEndMb.toFixed(1)} MB, tensors ${s.tensorsStart} → ${s.tensorsEnd}`);
    lines.push(`  soak RSS after each tenth (MB): ${s.rssTenthsMb.map((mb) => mb.toFixed(0)).join(' ')}`);
  }
  if (result.profile) lines.push(...formatProfile(result.profile).map((line) => `  ${line}`));
  return lines;
}
