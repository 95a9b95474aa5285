import cliProgress from 'cli-progress';
import { formatEta, logProgress, runTrain, type ProgressEvent, type TrainingSummary, type TrainRunOptions } from '@vjepa/trainer';

/**
 * A progress bar on a terminal (step, loss, lr, momentum, clips/s, ETA); on a pipe or in CI, a plain line
 * every `every` steps instead, so logs stay readable.
 */
export class TrainingProgress {
  private bar?: cliProgress.SingleBar;
  private readonly lines: (e: ProgressEvent) => void;

  /**
   * @param stream - the terminal the bar is drawn on (default stderr); its `columns` size the bar, so that
   *   the line (step, ETA first) fits: a terminal cuts what passes its right edge.
   */
  constructor(
    private readonly log: (line: string) => void = console.log,
    private readonly interactive = Boolean(process.stderr.isTTY),
    every = 10,
    private readonly stream: NodeJS.WritableStream & { columns?: number } = process.stderr,
  ) {
    this.lines = logProgress(log, every);
  }

  update(e: ProgressEvent): void {
    if (!this.interactive) {
      this.lines(e);
      return;
    }
    const payload = {
      loss: e.loss.toFixed(4),
      lr: e.lr.toExponential(2),
      momentum: e.momentum.toFixed(5),
      speed: e.clipsPerSecond.toFixed(2),
      etaText: formatEta(e.etaSeconds),
    };
    if (!this.bar) {
      // What matters most comes first (step, ETA, loss); the figures after it are left out, last first,
      // until the line fits the terminal with a bar of at least 10 (a terminal cuts what passes its edge).
      const columns = this.stream.columns ?? 80;
      const fields = ['loss {loss}', 'lr {lr}', 'm {momentum}', '{speed} clips/s'];
      const fill = (text: string) =>
        text.replace(/\{value\}|\{total\}/g, String(e.totalSteps)).replace(/\{(\w+)\}/g, (_, key: string) => String(payload[key as keyof typeof payload] ?? ''));
      let format = '';
      for (let kept = fields.length; kept >= 1; kept--) {
        format = `train {value}/{total} ETA {etaText} [{bar}] ${fields.slice(0, kept).join(' | ')}`;
        if (fill(format.replace('{bar}', '')).length + 10 <= columns) break;
      }
      const barsize = Math.max(10, Math.min(40, columns - fill(format.replace('{bar}', '')).length - 1));
      this.bar = new cliProgress.SingleBar({ format, hideCursor: true, barsize, stream: this.stream }, cliProgress.Presets.shades_classic);
      this.bar.start(e.totalSteps, e.step, payload);
    }
    this.bar.update(e.step + 1, payload);
  }

  /** Prints a message (to `write`, default the log) without breaking the bar. */
  message(line: string, write: (line: string) => void = this.log): void {
    if (this.bar) this.bar.stop();
    this.bar = undefined;
    write(line);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/**
 * `runTrain` of `@vjepa/trainer` with the progress bar of `vjepa train` drawn from its progress events
 * (`interactive`, default: when stderr is a terminal; plain lines otherwise); its lines go past the bar.
 */
export async function runTrainWithProgress({ interactive, ...options }: Omit<TrainRunOptions, 'onProgress'> & { interactive?: boolean }): Promise<TrainingSummary> {
  const progress = new TrainingProgress(options.log ?? console.log, interactive);
  const warn = options.warn ?? ((line: string) => console.error(line));
  try {
    return await runTrain({
      ...options,
      log: (line) => progress.message(line),
      warn: (line) => progress.message(line, warn),
      onProgress: (event) => progress.update(event),
    });
  } finally {
    progress.stop();
  }
}
