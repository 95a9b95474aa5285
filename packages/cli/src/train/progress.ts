import cliProgress from 'cli-progress';
import { formatEta, logProgress, runTrain, type ProgressEvent, type TrainingSummary, type TrainRunOptions } from '@vjepa/trainer';

/**
 * A progress bar on a terminal (step, loss, lr, momentum, clips/s, ETA); on a pipe or in CI, a plain line
 * every `every` steps instead, so logs stay readable.
 */
export class TrainingProgress {
  private bar?: cliProgress.SingleBar;
  private readonly lines: (e: ProgressEvent) => void;

  constructor(
    private readonly log: (line: string) => void = console.log,
    private readonly interactive = Boolean(process.stderr.isTTY),
    every = 10,
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
