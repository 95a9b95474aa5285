/**
 * The report of `Module.loadStateDict` and the error a strict load throws with it. The report is
 * declared here, below `module.ts`, so that the two files do not import each other.
 *
 * @packageDocumentation
 */
import { CheckpointError } from '@vjepa/base';

/** What `loadStateDict` found: keys the module has but the input lacks, the reverse, and shape clashes. */
export interface LoadReport {
  /** Keys loaded. */
  loaded: string[];
  /** Keys the module has and the input lacks. */
  missing: string[];
  /** Keys the input has and the module lacks. */
  unexpected: string[];
  /** Keys of both whose shapes differ. */
  mismatched: { key: string; expected: number[]; received: number[] }[];
}

function list(keys: string[], limit = 12): string {
  const shown = keys.slice(0, limit).join(', ');
  return keys.length > limit ? `${shown}, … (${keys.length} in all)` : shown;
}

/**
 * Thrown by a strict `loadStateDict` when keys are missing, unexpected or of the wrong shape: the weights
 * do not fit the model (a {@link CheckpointError}, kind `checkpoint`).
 */
export class StateDictError extends CheckpointError {
  constructor(
    readonly moduleName: string,
    readonly report: LoadReport,
    readonly source?: string,
  ) {
    const parts: string[] = [];
    if (report.missing.length) parts.push(`missing keys: ${list(report.missing)}`);
    if (report.unexpected.length) parts.push(`unexpected keys: ${list(report.unexpected)}`);
    if (report.mismatched.length) {
      const shapes = report.mismatched.map((m) => `${m.key} expected [${m.expected}] received [${m.received}]`);
      parts.push(`wrong shapes: ${list(shapes, 6)}`);
    }
    const from = source ? ` from ${source}` : '';
    super(
      `cannot load weights${from} into ${moduleName}: ${parts.join('; ')}. ` +
        'Check the model configuration, or pass { strict: false } to load the matching keys and get this report.',
    );
  }
}
