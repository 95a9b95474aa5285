import cliProgress from 'cli-progress';
import type { ProgressEvent } from '@vjepa/trainer';

function formatEta(seconds: number): string {
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
 * A progress bar on a terminal (step, loss, lr, momentum, clips/s, ETA); on a pipe or in CI, a plain line
 * every `every` steps instead, so logs stay readable.
 */
export class TrainingProgress {
  private bar?: cliProgress.SingleBar;

  constructor(
    private readonly log: (line: string) => void = console.log,
    private readonly interactive = Boolean(process.stderr.isTTY),
    private readonly every = 10,
  ) {}

  update(e: ProgressEvent): void {
    if (!this.interactive) {
      if ((e.step + 1) % this.every === 0 || e.step === 0 || e.step + 1 === e.totalSteps) this.log(describeStep(e));
      return;
    }
    const payload = {
      loss: e.loss.toFixed(4),
      lr: e.lr.toExponential(2),
      momentum: e.momentum.toFixed(5),
      speed: e.clipsPerSecond.toFixed(2),
      eta: formatEta(e.etaSeconds),
    };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: 'train [{bar}] {value}/{total} | loss {loss} | lr {lr} | m {momentum} | {speed} clips/s | ETA {eta}', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(e.totalSteps, e.step, payload);
    }
    this.bar.update(e.step + 1, payload);
  }

  /** Prints a message without breaking the bar. */
  message(line: string): void {
    if (this.bar) this.bar.stop();
    this.bar = undefined;
    this.log(line);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
