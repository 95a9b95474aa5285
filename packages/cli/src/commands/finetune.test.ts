import { describe, expect, it } from 'vitest';
import type { FinetuneSourceOptions } from '@vjepa/official';
import { createProgram } from '../main';

/** The flags `vjepa finetune ARGS` parses (the command itself not run). */
async function finetuneFlags(...args: string[]): Promise<FinetuneSourceOptions & Record<string, unknown>> {
  const program = createProgram().exitOverride();
  const command = program.commands.find((c) => c.name() === 'finetune')!;
  let flags: Record<string, unknown> = {};
  command.action((o: Record<string, unknown>) => {
    flags = o;
  });
  await program.parseAsync(['node', 'vjepa', 'finetune', ...args]);
  return flags as FinetuneSourceOptions & Record<string, unknown>;
}

describe('vjepa finetune flags', () => {
  it('parses every value before the command runs, with the documented defaults', async () => {
    expect(await finetuneFlags('--checkpoint', 'random')).toEqual({
      checkpoint: 'random', encoder: 'target', train: 'synthetic', val: 'synthetic', head: 'attentive', epochs: 20, batchSize: 16, views: 1, trainSize: 1024,
      valSize: 512, seed: 0, checkpointEvery: 100, backend: 'auto',
    });
    const flags = await finetuneFlags(
      ...['--checkpoint', 'runs/a', '--label', 'direction', '--labels-per-class', '16', '--head', 'linear', '--layer-decay', '0.65', '--drop-path', '0.2'],
      ...['--label-smoothing', '0', '--steps', '200', '--lr', '1e-3', '--warmup-epochs', '0.5', '--weight-decay', '0', '--clip-grad', '1', '--augment', '--resume', '--out', 'runs/ft'],
    );
    expect(flags).toMatchObject({
      label: 'direction', labelsPerClass: 16, head: 'linear', layerDecay: 0.65, dropPath: 0.2, labelSmoothing: 0, steps: 200, lr: 1e-3, warmupEpochs: 0.5, weightDecay: 0,
      clipGrad: 1, augment: true, resume: true, out: 'runs/ft',
    });
  });

  it.each([
    [['--layer-decay', '0'], '--layer-decay: expected a number in (0, 1], received "0"'],
    [['--drop-path', '1'], '--drop-path: expected a number in [0, 1), received "1"'],
    [['--label-smoothing', 'x'], '--label-smoothing: expected a number in [0, 1), received "x"'],
    [['--head', 'mlp'], '--head: expected one of attentive, linear, received "mlp"'],
    [['--labels-per-class', '0'], '--labels-per-class: expected an integer ≥ 1, received "0"'],
  ])('refuses %j, naming the flag', async (args, message) => {
    await expect(finetuneFlags('--checkpoint', 'random', ...args)).rejects.toThrow(message);
  });
});
