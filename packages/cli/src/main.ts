import { Command, Option } from 'commander';
import { fail } from '@vjepa/core';
import { formatInspect, inspectFile, isTorchPath, runConvert, runParity } from '@vjepa/official';
import { resolveRunConfig, savedRunConfig, TRAIN_PRESETS, type TrainFlags } from '@vjepa/trainer';
import { runBenchCommand } from './bench/command';
import type { BenchFlags } from './bench/flags';
import { runTrainWithProgress as runTrain } from './train/progress';
import { runDoctor } from './commands/doctor';
import { runEmbed } from './commands/embed';
import { runProbe } from './commands/probe';
import type { WhiteningKind } from '@vjepa/probe';

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(flag, 'a positive integer', value);
  return n;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

function acceleratorOption(): Option {
  return new Option('--accelerator <name>', "native kernels on wasm: 'auto' (when @vjepa/accelerate built), 'native' (required) or 'none' (tfjs's own)")
    .choices(['auto', 'native', 'none'])
    .default('auto');
}

function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend').choices(BACKENDS).default('auto');
}

/** Builds the `vjepa` command line. */
export function createProgram(): Command {
  const program = new Command('vjepa').description('V-JEPA for TypeScript: pretrain, probe, embed and check video encoders.');

  program
    .command('parity')
    .description('compare our models with a reference file of the official PyTorch code; exits 1 on any error over tolerance')
    .argument('<file>', 'reference .safetensors file (with its .json config beside it), or an official pretraining .pth.tar whose weights to check against --reference')
    .option('--reference <file>', 'with a .pth.tar: the reference .safetensors of the same weights', 'fixtures/reference/tiny.safetensors')
    .option('--probe-weights <file>', 'an official attentive-probe .pth.tar whose classifier replaces probe/*')
    .addOption(backendOption())
    .addOption(acceleratorOption())
    .action(async (file: string, options: { reference: string; probeWeights?: string; backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu'; accelerator: 'auto' | 'native' | 'none' }) => {
      const fromTorch = isTorchPath(file);
      const weights = { weights: fromTorch ? file : undefined, probeWeights: options.probeWeights };
      const report = await runParity(fromTorch ? options.reference : file, options.backend, options.accelerator, weights);
      const { file: _file, ...rest } = report;
      console.log(JSON.stringify({ file, ...rest }, null, 2));
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('train')
    .description('pretrain a V-JEPA encoder (default: a ViT-tiny-width model on the embedded synthetic videos)')
    .option('--data <spec>', "'synthetic', 'synthetic:NAME', an official CSV index (path label) or a folder of videos")
    .option('--config <file>', 'JSON or YAML config with the official keys (data.*, model.*, mask, optimization.*, meta.seed)')
    .option('--model <size>', 'tiny | small | base | large | huge | giant | gigantic')
    .option('--depth <n>', 'encoder depth (default: the size\'s official depth)')
    .option('--pred-dim <n>', 'predictor width (official 384; default 96 for a laptop)')
    .option('--pred-depth <n>', 'predictor depth (official 12; default 4 for a laptop)')
    .option('--crop <px>', 'clip side in pixels (default 64)')
    .option('--frames <n>', 'frames per clip (default 16)')
    .option('--frame-step <n>', 'frame step of the clip sampler (default 4)')
    .option('--steps <n>', 'optimisation steps (default 300)')
    .option('--batch-size <n>', 'clips per batch (default 8)')
    .option('--seed <n>', 'seed of data, masks and init (default 0)')
    .option('--preset <name>', 'official (default) | small: an experimental recipe for small models on short CPU budgets')
    .option('--target <what>', "what the predictor regresses: 'features' (V-JEPA) or 'pixels' (the normalised pixels of each masked tubelet, the baseline)")
    .option('--regularizer <kind>', 'sigreg (LeJEPA) | vicreg | none: a regulariser on the context tokens, added to the loss')
    .option('--reg-weight <λ>', 'weight λ of the regulariser: loss + λ · R (default 0.05)')
    .option('--reg-directions <m>', 'SIGReg: random unit directions per step (default 256)')
    .option('--frozen-teacher', 'keep the target encoder at its initial weights (EMA momentum fixed at 1)')
    .option('--change-weighting <α>', 'weight the loss toward tokens whose pixels change: (1 − α) + α · change / mean change (default 0)')
    .option('--masks <kind>', "official (the two multiblock generators, default) | future (context = the first half of the clip, target ≈ 90 % of the second)")
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 50)', '50')
    .option('--out <dir>', 'output folder for checkpoints and metrics.jsonl', 'runs/vjepa')
    .option('--resume [dir]', 'continue from the newest intact checkpoint in --out (or in dir); a damaged one is skipped with a warning')
    .option('--keep <n>', 'checkpoints to keep (the newest intact one is never deleted)', '3')
    .addOption(backendOption())
    .action(async (flags: TrainFlags & { out: string; resume?: boolean | string; checkpointEvery: string; keep: string; backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu' }) => {
      const resumeFrom = flags.resume === true ? flags.out : flags.resume;
      const saved = resumeFrom ? savedRunConfig(resumeFrom) : null;
      const preset = (flags as { preset?: string }).preset;
      if (preset !== undefined && !(preset in TRAIN_PRESETS)) fail('--preset', `one of ${Object.keys(TRAIN_PRESETS).join(', ')}`, preset);
      const checkpointEvery = Number(flags.checkpointEvery);
      if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) fail('--checkpoint-every', 'a positive integer', flags.checkpointEvery);
      const keep = Number(flags.keep);
      if (!Number.isInteger(keep) || keep < 1) fail('--keep', 'a positive integer', flags.keep);
      const config = resolveRunConfig(flags, saved ?? (preset ? TRAIN_PRESETS[preset] : {}));
      await runTrain({
        config,
        backend: flags.backend,
        out: flags.out,
        resume: flags.resume === true ? true : flags.resume,
        checkpointEvery,
        keep,
        stopOnSignals: true,
      });
    });

  program
    .command('probe')
    .description('train an attentive (or linear) probe on frozen features and report top-1 and the confusion matrix')
    .requiredOption('--checkpoint <dir>', "a vjepa train output folder or checkpoint directory, an official pretraining .pth.tar, 'random' for an untrained encoder, or 'pixels' for raw tubelet pixels (no encoder)")
    .option('--probe-checkpoint <file>', 'an official attentive-probe .pth.tar (classifier): evaluate with it instead of training a probe')
    .option('--heads <n>', 'with a .pth.tar of a width that is no official size: its attention heads')
    .option('--train <spec>', "training clips: 'synthetic[:NAME]' or an official CSV (path label)", 'synthetic')
    .option('--val <spec>', 'validation clips, same forms', 'synthetic')
    .option('--label <names>', "label(s) to predict, comma-separated, one probe each on the same features: 'shape', 'direction' for synthetic data (default shape), 'label' for CSVs")
    .option('--segments <n>', 'temporal segments per video, their tokens concatenated (default 1)', '1')
    .option('--views <n>', 'spatial views at evaluation, softmax averaged (default 1)', '1')
    .option('--epochs <n>', 'probe training epochs', '20')
    .option('--batch-size <n>', 'probe batch size', '64')
    .option('--lr <x>', 'probe learning rate (cosine to 0)', '0.001')
    .option('--lr-grid <list>', 'learning rates to choose from per probe, scored on a held-out 20 % of the training clips (never validation), e.g. 1e-3,3e-3,1e-2')
    .option('--probe <kind>', 'attentive | linear', 'attentive')
    .option('--whiten <kinds>', "feature whitening fitted on the training clips and saved with the probe: pca | std | none, or several comma-separated (one probe each, e.g. 'none,pca')", 'none')
    .option('--whiten-components <k>', 'with --whiten pca: keep the k leading principal axes (the probe reads k channels; e.g. 192 for --checkpoint pixels)')
    .option('--layers <list>', "encoder outputs to probe, concatenated: block numbers 1…depth and/or 'final' (the final norm, default), e.g. '2,4,final'")
    .option('--encoder <which>', 'target | online', 'target')
    .option('--train-size <n>', 'clips of a synthetic training set', '1024')
    .option('--val-size <n>', 'clips of a synthetic validation set', '512')
    .option('--seed <n>', 'seed of the probe and of the synthetic probe data', '0')
    .option('--out <file>', 'where to write the probe weights (default: beside the checkpoint)')
    .option('--model <size>', "with --checkpoint random: the encoder size, as in 'vjepa train'")
    .option('--depth <n>', 'with --checkpoint random: encoder depth')
    .option('--crop <px>', 'with --checkpoint random: clip side')
    .option('--frames <n>', 'with --checkpoint random: frames per clip')
    .addOption(backendOption())
    .action(async (o: Record<string, string>) => {
      await runProbe({
        checkpoint: o.checkpoint,
        probeCheckpoint: o.probeCheckpoint,
        inferred: { heads: positiveInteger('--heads', o.heads) },
        modelFlags: { model: o.model, depth: o.depth, crop: o.crop, frames: o.frames, seed: o.seed },
        train: o.train,
        val: o.val,
        labels: o.label ? o.label.split(',') : undefined,
        encoder: o.encoder as 'target' | 'online',
        probe: o.probe as 'attentive' | 'linear',
        whiten: o.whiten.split(',') as WhiteningKind[],
        whitenComponents: o.whitenComponents === undefined ? undefined : positiveInteger('--whiten-components', o.whitenComponents),
        layers: o.layers ? o.layers.split(',').map((layer) => (layer === 'final' ? 'final' : Number(layer))) : undefined,
        segments: Number(o.segments),
        views: Number(o.views),
        epochs: Number(o.epochs),
        batchSize: Number(o.batchSize),
        lr: Number(o.lr),
        lrGrid: o.lrGrid ? o.lrGrid.split(',').map(Number) : undefined,
        trainSize: Number(o.trainSize),
        valSize: Number(o.valSize),
        seed: Number(o.seed),
        out: o.out,
        backend: o.backend as 'auto',
      });
    });

  program
    .command('embed')
    .description('encode videos with a trained encoder and write their features to a safetensors file')
    .argument('<inputs...>', "video files, or one dataset spec ('synthetic:NAME', a CSV index, a folder)")
    .requiredOption('--checkpoint <dir>', 'a vjepa train output folder or checkpoint directory, or an official pretraining .pth.tar')
    .option('--heads <n>', 'with a .pth.tar of a width that is no official size: its attention heads')
    .option('--encoder <which>', 'target | online', 'target')
    .option('--out <file>', 'output safetensors file', 'features.safetensors')
    .option('--limit <n>', 'embed at most n clips')
    .option('--pool', 'mean-pool tokens: [M, D] instead of [M, N, D]')
    .addOption(backendOption())
    .action(async (inputs: string[], o: { checkpoint: string; heads?: string; encoder: 'target' | 'online'; out: string; limit?: string; pool?: boolean; backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu' }) => {
      if (o.encoder !== 'target' && o.encoder !== 'online') fail('--encoder', "'target' or 'online'", o.encoder);
      await runEmbed({ inputs, checkpoint: o.checkpoint, inferred: { heads: positiveInteger('--heads', o.heads) }, encoder: o.encoder, out: o.out, limit: o.limit ? Number(o.limit) : undefined, pool: o.pool, backend: o.backend });
    });

  program
    .command('inspect')
    .description('list a .safetensors, a .pth/.pt/.pth.tar (zip or legacy format) or a vjepa train checkpoint folder: format, tensors (name, dtype, shape) and values')
    .argument('<file>', 'the file or folder')
    .option('--json', 'print one JSON object {format, tensors: [{name, dtype, shape}], values}')
    .action((file: string, o: { json?: boolean }) => {
      const report = inspectFile(file);
      console.log(o.json ? JSON.stringify(report) : formatInspect(report));
    });

  program
    .command('convert')
    .description('convert by extension: .pth* → .safetensors (lossless); a vjepa train folder → .pth.tar (official layout); an official .pth.tar → a checkpoint folder (for vjepa train --resume)')
    .argument('<in>', 'a .pth/.pt/.pth.tar file, or a vjepa train output folder or checkpoint directory')
    .argument('<out>', 'a .safetensors file, a .pth.tar file, or a folder')
    .option('--ipe <n>', 'to .pth.tar: iterations per epoch of the official config, for its epoch field', '300')
    .addOption(new Option('--scaler <state>', "to .pth.tar: 'none', or 'fresh' (a new GradScaler's state, for official runs with mixed precision)").choices(['none', 'fresh']).default('none'))
    .option('--heads <n>', 'from a .pth.tar of a width that is no official size: its attention heads')
    .addOption(backendOption())
    .action(async (input: string, output: string, o: { ipe: string; scaler: 'none' | 'fresh'; heads?: string; backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu' }) => {
      await runConvert(input, output, { ipe: positiveInteger('--ipe', o.ipe), scaler: o.scaler, heads: positiveInteger('--heads', o.heads), backend: o.backend });
    });

  program
    .command('doctor')
    .description('report Node, the tfjs backends (and why the native GPU one does or does not load), the accelerator (fast or slow path, and why), ffmpeg and threads')
    .action(async () => {
      await runDoctor();
    });

  program
    .command('bench')
    .description(
      'time the full V-JEPA training step (default; encoder 192/6/3, predictor 96/4, 16×64×64 clips, batch 4, official masks) or the encoder forward, per backend',
    )
    .option('--what <what>', 'step (VjepaTrainStep.run) | forward (the encoder forward alone)', 'step')
    .option('--backends <list>', 'comma-separated backends: auto, tensorflow, wasm, cpu', 'wasm')
    .option('--runs <n>', 'timed runs per backend, after 2 warm-ups (median and min reported)', '10')
    .option('--batch <n>', 'clips per batch (default 4, or the config file\'s)')
    .option('--config <file>', 'JSON or YAML with encoder {dim, depth, heads, mlpRatio}, predictor {dim, depth, heads, mlpRatio}, geometry {frames, crop, patch, tubelet}, batch')
    .option('--json', 'one JSON line per backend on stdout (the table goes to stderr)')
    .option('--profile', 'profile one more step and print its kernels ranked by total time, with counts')
    .option('--steps <n>', 'memory soak: n more untimed steps, then RSS and tensors at both ends', '0')
    .addOption(acceleratorOption())
    .option('--threads <n>', 'BLAS threads of the native kernels (default 1, or VJEPA_BLAS_THREADS)')
    .action(async (flags: BenchFlags) => {
      await runBenchCommand(flags);
    });

  return program;
}

/** Runs the `vjepa` command with `argv` (default: the process's). */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = createProgram().option('--verbose', 'print the stack trace of an error');
  // Errors (commander's own included) are thrown to the caller, which prints one line and sets the exit status.
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ outputError: () => undefined });
  await program.parseAsync(argv);
}
