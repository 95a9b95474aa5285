import type { LoadReport } from './module';

function list(keys: string[], limit = 12): string {
  const shown = keys.slice(0, limit).join(', ');
  return keys.length > limit ? `${shown}, … (${keys.length} in all)` : shown;
}

/** Thrown by a strict `loadStateDict` when keys are missing, unexpected or of the wrong shape. */
export class StateDictError extends Error {
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
    this.name = 'StateDictError';
  }
}
