import type { Command } from 'commander';
import { WHITENING_KINDS, type EncoderLayer } from '@vjepa/probe';
import { probeSource, type ProbeSourceOptions } from '@vjepa/official';
import { backendOption, encoderOption, headsOption, integer, listOf, name, oneOf, option, positiveNumber, type ValueKind } from '../options';

/** A `--layers` entry: a block number or `final`. */
const layer: ValueKind<EncoderLayer> = {
  expected: "a block number ≥ 1 or 'final'",
  many: "block numbers ≥ 1 and/or 'final'",
  read: (text) => (text.trim() === 'final' ? 'final' : integer(1).read(text)),
};

/** The flags of `vjepa probe`, as commander parses them. */
interface ProbeFlags extends Omit<ProbeSourceOptions, 'inferred' | 'modelFlags' | 'labels' | 'log'> {
  heads?: number;
  label?: string[];
  model?: string;
  depth?: string;
  crop?: string;
  frames?: string;
  json?: boolean;
}

/** `vjepa probe`: train (or evaluate) a probe on frozen features. */
export function register(program: Command): void {
  program
    .command('probe')
    .description('train an attentive (or linear) probe on frozen features and report top-1 and the confusion matrix')
    .requiredOption('--checkpoint <dir>', "a vjepa train output folder or checkpoint directory, an official pretraining .pth.tar, 'random' for an untrained encoder, or 'pixels' for raw tubelet pixels (no encoder)")
    .option('--probe-checkpoint <file>', 'an official attentive-probe .pth.tar (classifier): evaluate with it instead of training a probe')
    .addOption(headsOption())
    .option('--train <spec>', "training clips: 'synthetic[:NAME]' or an official CSV (path label)", 'synthetic')
    .option('--val <spec>', 'validation clips, same forms', 'synthetic')
    .addOption(option('--label <names>', "label(s) to predict, comma-separated, one probe each on the same features: 'shape', 'direction' for synthetic data (default shape), 'label' for CSVs", listOf(name)))
    .addOption(option('--segments <n>', 'temporal segments per video, their tokens concatenated', integer(1), 1))
    .addOption(option('--views <n>', 'spatial views at evaluation, softmax averaged', integer(1), 1))
    .addOption(option('--epochs <n>', 'probe training epochs', integer(1), 20))
    .addOption(option('--batch-size <n>', 'probe batch size', integer(1), 64))
    .addOption(option('--lr <x>', 'probe learning rate (cosine to 0)', positiveNumber, 0.001))
    .addOption(option('--lr-grid <list>', 'learning rates to choose from per probe, scored on a held-out 20 % of the training clips (never validation), e.g. 1e-3,3e-3,1e-2', listOf(positiveNumber)))
    .addOption(option('--probe <kind>', 'attentive | linear | knn (no training: weighted k-NN votes of mean-pooled features, the zero-training baseline)', oneOf(['attentive', 'linear', 'knn'] as const), 'attentive'))
    .addOption(option('--knn-k <n>', 'with --probe knn: neighbours that vote (DINO: 20)', integer(1)))
    .addOption(option('--knn-temperature <t>', 'with --probe knn: temperature of the votes exp(cosine / T) (DINO: 0.07)', positiveNumber))
    .addOption(option('--labels-per-class <n>', 'train on a seeded (--seed), class-balanced subset: n training clips of every class of the first --label', integer(1)))
    .addOption(
      option(
        '--whiten <kinds>',
        "feature whitening fitted on the training clips and saved with the probe: pca | std | none, or several comma-separated (one probe each, e.g. 'none,pca')",
        listOf(oneOf(WHITENING_KINDS)),
        ['none'],
      ),
    )
    .addOption(option('--whiten-components <k>', 'with --whiten pca: keep the k leading principal axes (the probe reads k channels; e.g. 192 for --checkpoint pixels)', integer(1)))
    .addOption(option('--layers <list>', "encoder outputs to probe, concatenated: block numbers 1…depth and/or 'final' (the final norm, default), e.g. '2,4,final'", listOf(layer)))
    .addOption(encoderOption())
    .addOption(option('--train-size <n>', 'clips of a synthetic training set', integer(1), 1024))
    .addOption(option('--val-size <n>', 'clips of a synthetic validation set', integer(1), 512))
    .addOption(option('--seed <n>', 'seed of the probe and of the synthetic probe data', integer(0), 0))
    .option('--out <file>', 'where to write the probe weights (default: beside the checkpoint)')
    .option('--model <size>', "with --checkpoint random: the encoder size, as in 'vjepa train'")
    .option('--depth <n>', 'with --checkpoint random: encoder depth')
    .option('--crop <px>', 'with --checkpoint random: clip side')
    .option('--frames <n>', 'with --checkpoint random: frames per clip')
    .option('--json', 'print only the JSON summary lines on stdout (the report and the progress go to stderr)')
    .addOption(backendOption())
    .action(async (o: ProbeFlags) => {
      const { heads, label, model, depth, crop, frames, json, ...rest } = o;
      const progress = (line: string) => console.error(line);
      const log = json ? progress : (line: string) => console.log(line);
      const summaries = await probeSource({ ...rest, inferred: { heads }, labels: label, modelFlags: { model, depth, crop, frames, seed: String(o.seed) }, log, progress });
      if (json) for (const summary of summaries) console.log(JSON.stringify(summary));
    });
}
