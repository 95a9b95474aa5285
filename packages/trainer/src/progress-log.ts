import type { ProgressEvent } from './progress-event';

/** Seconds as `1h05m` or `4m07s`; `?` when unknown. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One line describing a step, for logs and non-interactive output. */
export function describeStep(e: ProgressEvent): string {
  const collapse = e.collapse ? ` | std ${e.collapse.featureStd.toFixed(3)} rank ${e.collapse.effectiveRank.toFixed(1)}` : '';
  return (
    `step ${e.step + 1}/${e.totalSteps} | loss ${e.loss.toFixed(4)} | lr ${e.lr.toExponential(2)} | ` +
    `momentum ${e.momentum.toFixed(5)} | ${e.clipsPerSecond.toFixed(2)} clips/s | ETA ${formatEta(e.etaSeconds)}${collapse}`
  );
}

/**
 * A progress callback that writes {@link describeStep} lines to `log`: the first step, every `every`-th and
 * the last, so that logs of long runs stay readable.
 */
export function logProgress(log: (line: string) => void, every = 10): (event: ProgressEvent) => void {
  return (e) => {
    if ((e.step + 1) % every === 0 || e.step === 0 || e.step + 1 === e.totalSteps) log(describeStep(e));
  };
}
