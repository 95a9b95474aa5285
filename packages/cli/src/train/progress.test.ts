// The progress bar of `vjepa train` on an 80-column terminal: step and ETA come first and the bar is sized
// so that the line fits (a terminal cuts what passes its right edge: the ETA used to be cut).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@vjepa/trainer';
import { TrainingProgress } from './progress';

/** A fake terminal of `columns`: what was written, the escape codes removed. */
function terminal(columns: number) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY: true, columns, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
  );
  // eslint-disable-next-line no-control-regex
  return { stream, lines: () => text.replace(/\x1B\[[0-9;?]*[A-Za-z]/g, '\n').split(/[\r\n]/).filter((line) => line.startsWith('train ')) };
}

const event = (step: number): ProgressEvent =>
  ({ step, totalSteps: 3000, loss: 0.81234, lr: 5.65e-4, momentum: 0.998, clipsPerSecond: 12.34, etaSeconds: 3725, generatorLosses: [], weightDecay: 0.04 }) as ProgressEvent;

describe('the training progress bar', () => {
  it.each([80, 120])('fits a %i-column terminal with the ETA shown', (columns) => {
    const { stream, lines } = terminal(columns);
    const progress = new TrainingProgress(() => undefined, true, 10, stream);
    progress.update(event(0));
    progress.update(event(1499));
    progress.stop();
    const shown = lines().at(-1)!;
    expect(shown.length).toBeLessThanOrEqual(columns);
    expect(shown).toMatch(/^train 1500\/3000 ETA 1h02m \[[█░]{10,}\] loss 0\.8123 \| lr 5\.65e-4 \| m 0\.99800/);
    if (columns >= 120) expect(shown).toMatch(/ \| m 0\.99800 \| 12\.34 clips\/s$/);
  });
});
