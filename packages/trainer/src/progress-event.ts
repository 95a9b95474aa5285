import type { CollapseStats } from './collapse';
import type { FeatureDiagnostics } from './diagnostics';
import type { StepMetrics } from './step';

// Its own file so that the portable `progress-log.ts` (both entries) does not reach `loop.ts`, which
// needs Node's file system: the browser build type-checks without it.

/** One line of progress (also written to `metrics.jsonl`). */
export interface ProgressEvent extends StepMetrics {
  [extra: string]: unknown;
  totalSteps: number;
  /** Clips per second over the recent steps. */
  clipsPerSecond: number;
  /** Seconds left at the recent pace. */
  etaSeconds: number;
  /** Collapse statistics of the target features, on the steps where they are measured. */
  collapse?: CollapseStats;
  /** Object/background loss, effective rank and temporal std on the diagnostic batch, when measured. */
  diagnostics?: FeatureDiagnostics;
}
