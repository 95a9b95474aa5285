import type { Command } from 'commander';
import { showDecoder, trainDecoder, type DecoderShowOptions, type DecoderTrainOptions } from '@vjepa/decoder';
import { backendOption, integer, oneOf, option, positiveNumber } from '../options';

/** The flags of `vjepa decode train`, as commander parses them. */
type TrainFlags = Omit<DecoderTrainOptions, 'decoder' | 'log'> & { dim?: number; depth?: number; heads?: number };

/**
 * `vjepa decode`: the pixel decoder of the paper's qualitative evaluation (`@vjepa/decoder`). `train`
 * fits a decoder on the frozen encoder and predictor of a run; `show` writes the picture sheet and prints
 * one JSON line of the masked error beside its baselines.
 */
export function register(program: Command): void {
  const decode = program.command('decode').description('decode the predicted features of a run back to pixels (the paper\'s qualitative evaluation)');
  decode
    .command('train')
    .description('train a pixel decoder on the frozen encoder and predictor of a vjepa train run')
    .requiredOption('--checkpoint <dir>', 'a vjepa train output folder or checkpoint directory (--target features)')
    .option('--data <spec>', "clips to train on: 'synthetic:NAME', a CSV index or a folder (default the run's)")
    .addOption(option('--steps <n>', 'steps in all (with --resume: to go on to)', integer(1), 300))
    .requiredOption('--out <dir>', 'output folder (checkpoints/)')
    .option('--resume', 'go on from the newest intact checkpoint under --out')
    .addOption(option('--batch-size <n>', "clips a batch (default the run's)", integer(1)))
    .addOption(option('--lr <x>', 'AdamW learning rate', positiveNumber, 0.001))
    .addOption(option('--loss <kind>', 'pixel loss', oneOf(['l1', 'l2'] as const), 'l1'))
    .addOption(option('--dim <n>', 'decoder width', integer(1), 192))
    .addOption(option('--depth <n>', 'decoder blocks', integer(1), 2))
    .addOption(option('--heads <n>', 'decoder attention heads', integer(1), 3))
    .addOption(option('--checkpoint-every <n>', 'write a checkpoint every n steps (and after the last)', integer(1), 50))
    .addOption(option('--keep <n>', 'checkpoints to keep', integer(1), 3))
    .addOption(option('--seed <n>', "seed of the decoder, the loader and the masks (default the run's)", integer(0)))
    .addOption(backendOption())
    .action(async (o: TrainFlags) => {
      const { dim, depth, heads, ...rest } = o;
      await trainDecoder({ ...rest, decoder: { dim, depth, heads } });
    });
  decode
    .command('show')
    .description('write the picture sheet of a decoder on one clip and print its masked error beside the baselines (one JSON line)')
    .requiredOption('--checkpoint <dir>', 'the vjepa train run the decoder was trained on')
    .requiredOption('--decoder <dir>', 'a vjepa decode train output folder or checkpoint directory')
    .requiredOption('--video <path>', "a video file, or a dataset spec ('synthetic:NAME', a CSV index, a folder): its first clip")
    .addOption(option('--samples <k>', 'decodings, each from its own mask', integer(1), 4))
    .requiredOption('--out <file>', 'the PNG sheet to write')
    .option('--pixel-checkpoint <dir>', 'a vjepa train --target pixels run: its own prediction is a further baseline')
    .addOption(option('--seed <n>', 'seed of the masks', integer(0), 0))
    .addOption(backendOption())
    .action(async (o: Omit<DecoderShowOptions, 'log'>) => {
      const result = await showDecoder({ ...o, log: (line) => console.error(line) });
      const { sheet: _sheet, samples: _samples, ...numbers } = result;
      console.log(JSON.stringify(numbers));
    });
}
