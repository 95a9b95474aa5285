import type { Command } from 'commander';
import { finetuneSource, type FinetuneSourceOptions } from '@vjepa/official';
import { backendOption, encoderOption, headsOption, integer, name, oneOf, option, positiveNumber } from '../options';

/** A number in [0, 1): a drop-path rate, a label-smoothing ε. */
const rate = { expected: 'a number in [0, 1)', many: 'numbers in [0, 1)', read: (text: string) => (text.trim() !== '' && Number(text) >= 0 && Number(text) < 1 ? Number(text) : undefined) };
/** A number in (0, 1]: the layer-wise decay. */
const factor = { expected: 'a number in (0, 1]', many: 'numbers in (0, 1]', read: (text: string) => (Number(text) > 0 && Number(text) <= 1 ? Number(text) : undefined) };
/** A number ≥ 0: warm-up epochs, weight decay. */
const nonNegative = { expected: 'a number ≥ 0', many: 'numbers ≥ 0', read: (text: string) => (text.trim() !== '' && Number(text) >= 0 && Number.isFinite(Number(text)) ? Number(text) : undefined) };

/** The flags of `vjepa finetune`, as commander parses them. */
interface FinetuneFlags extends Omit<FinetuneSourceOptions, 'inferred' | 'modelFlags' | 'log' | 'signal' | 'onProgress'> {
  heads?: number;
  model?: string;
  depth?: string;
  crop?: string;
  frames?: string;
}

/** `vjepa finetune`: the encoder unfrozen under a head, trained end to end, evaluated on the validation clips. */
export function register(program: Command): void {
  program
    .command('finetune')
    .description('fine-tune an encoder end to end under an attentive (or linear) head: layer-wise lr decay, warm-up + cosine, drop path, label smoothing')
    .requiredOption('--checkpoint <dir>', "the encoder to start from: a vjepa train output folder or checkpoint directory, an official pretraining .pth.tar, or 'random' (untrained)")
    .addOption(headsOption())
    .addOption(encoderOption())
    .option('--train <spec>', "training clips: 'synthetic[:NAME]' or an official CSV (path label)", 'synthetic')
    .option('--val <spec>', 'validation clips, same forms', 'synthetic')
    .addOption(option('--label <name>', "the label to predict: 'shape', 'direction' for synthetic data (default shape), 'label' for CSVs", name))
    .addOption(option('--labels-per-class <n>', 'fine-tune on a seeded (--seed), class-balanced subset: n training clips of every class (default: all)', integer(1)))
    .addOption(option('--head <kind>', 'attentive | linear', oneOf(['attentive', 'linear'] as const), 'attentive'))
    .addOption(option('--epochs <n>', 'passes over the training clips', integer(1), 20))
    .addOption(option('--steps <n>', 'optimizer steps in all instead of --epochs (the same compute whatever --labels-per-class; warm-up a tenth unless --warmup-epochs)', integer(1)))
    .addOption(option('--warmup-epochs <n>', 'linear warm-up of the learning rate, in epochs (default min(2, epochs))', nonNegative))
    .addOption(option('--batch-size <n>', 'clips per step', integer(1), 16))
    .addOption(option('--lr <x>', 'peak learning rate (cosine to 1e-6 after the warm-up; default 5e-4)', positiveNumber))
    .addOption(option('--layer-decay <x>', 'layer-wise lr decay: block i gets x^(depth − i) of the head’s rate, the patch embedding x^(depth + 1) (default 0.75; 1 = none)', factor))
    .addOption(option('--drop-path <p>', 'stochastic depth of the deepest block, linear from 0 (default 0.1)', rate))
    .addOption(option('--label-smoothing <ε>', 'label smoothing of the cross-entropy (default 0.1)', rate))
    .addOption(option('--weight-decay <x>', 'AdamW weight decay on weights (default 0.05)', nonNegative))
    .addOption(option('--clip-grad <x>', 'global-norm gradient clip (default none)', positiveNumber))
    .option('--augment', 'random resized crop and horizontal flip on the training clips (default: the test transform)')
    .addOption(option('--views <n>', 'spatial views at evaluation, softmax averaged', integer(1), 1))
    .addOption(option('--train-size <n>', 'clips of a synthetic training set', integer(1), 1024))
    .addOption(option('--val-size <n>', 'clips of a synthetic validation set', integer(1), 512))
    .addOption(option('--seed <n>', 'seed of the head, data order, subset, drop path and synthetic data', integer(0), 0))
    .option('--out <dir>', 'output folder for checkpoints and metrics.jsonl (default runs/finetune-ENCODER-LABEL-N-seedS)')
    .option('--resume', 'continue the run in --out from its newest intact checkpoint')
    .addOption(option('--checkpoint-every <n>', 'steps between checkpoints', integer(1), 100))
    .option('--model <size>', "with --checkpoint random: the encoder size, as in 'vjepa train'")
    .option('--depth <n>', 'with --checkpoint random: encoder depth')
    .option('--crop <px>', 'with --checkpoint random: clip side')
    .option('--frames <n>', 'with --checkpoint random: frames per clip')
    .addOption(backendOption())
    .action(async (o: FinetuneFlags) => {
      const { heads, model, depth, crop, frames, ...rest } = o;
      const controller = new AbortController();
      const stop = (signal: NodeJS.Signals) => {
        console.log(`${signal}: stopping after this step and writing a checkpoint`);
        controller.abort();
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
      try {
        await finetuneSource({ ...rest, inferred: { heads }, signal: controller.signal, modelFlags: { model, depth, crop, frames, seed: String(o.seed) } });
      } finally {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, stop);
      }
    });
}
