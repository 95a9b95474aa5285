import type { Command } from 'commander';
import type { BackendRequest } from '@vjepa/core';
import { resolveRunConfig, savedRunConfig, TRAIN_PRESETS, type TrainFlags } from '@vjepa/trainer';
import { runTrainWithProgress } from '../train/progress';
import { backendOption, integer, oneOf, option } from '../options';

/** The flags of `vjepa train`: those of the run config (strings, checked by `resolveRunConfig`) and the run's own. */
interface TrainCommandFlags extends TrainFlags {
  preset?: string;
  checkpointEvery: number;
  out: string;
  resume?: boolean | string;
  resumeIfExists?: boolean;
  force?: boolean;
  keep: number;
  backend: BackendRequest;
}

/** `vjepa train`: pretrain a V-JEPA encoder. */
export function register(program: Command): void {
  program
    .command('train')
    .description('pretrain a V-JEPA encoder (default: a ViT-tiny-width model on the embedded synthetic videos)')
    .option('--data <spec>', "'synthetic', 'synthetic:NAME', an official CSV index (path label) or a folder of videos")
    .option('--config <file>', 'JSON or YAML config with the official keys (data.*, model.*, mask, optimization.*, meta.seed)')
    .option('--arch <name>', 'vjepa (V-JEPA 1, default) | vjepa2 (V-JEPA 2: RoPE encoder and predictor, 10 mask tokens)')
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
    .addOption(option('--preset <name>', 'official (default) | small: an experimental recipe for small models on short CPU budgets', oneOf(Object.keys(TRAIN_PRESETS))))
    .option('--target <what>', "what the predictor regresses: 'features' (V-JEPA) or 'pixels' (the normalised pixels of each masked tubelet, the baseline)")
    .option('--regularizer <kind>', 'sigreg (LeJEPA) | vicreg | none: a regulariser on the context embeddings, across samples, added to the loss')
    .option('--reg-weight <λ>', 'weight λ of the regulariser: loss + λ · R (default: the published one, vicreg 1 with variance 1 and covariance 1/25, sigreg 0.05/0.95)')
    .option('--reg-samples <over>', "what the regulariser's statistics run over: pooled (each clip's mean-pooled embedding, default) | positions (each token position across the batch) | tokens (every token row, the earlier behaviour)")
    .option('--reg-directions <m>', 'SIGReg: random unit directions per step (default 256)')
    .option('--reg-expander [widths]', "VICReg: pass the sample embeddings through VICReg's expander MLP (Linear → BatchNorm → ReLU → Linear → BatchNorm → ReLU → Linear) before the variance/covariance terms; alone: widths 2·D each, W: three layers of width W, or W1,W2,W3")
    .option('--frozen-teacher', 'keep the target encoder at its initial weights (EMA momentum fixed at 1)')
    .option('--change-weighting <α>', 'weight the loss toward tokens whose pixels change: (1 − α) + α · change / mean change (default 0)')
    .option('--masks <kind>', "official (the two multiblock generators, default) | future (context = the first half of the clip, target ≈ 90 % of the second)")
    .addOption(option('--checkpoint-every <n>', 'steps between checkpoints', integer(1), 50))
    .option('--out <dir>', 'output folder for checkpoints and metrics.jsonl', 'runs/vjepa')
    .option('--resume [dir]', 'continue from the newest intact checkpoint in --out (or in dir); a damaged one is skipped with a warning')
    .option('--resume-if-exists', 'continue the run in --out when it has a checkpoint, start it otherwise: one command for the first start and every restart (preemptible machines)')
    .option('--force', 'start a new run in an --out that holds one, deleting its checkpoints and metrics.jsonl (without it such an --out is refused)')
    .addOption(option('--keep <n>', 'checkpoints to keep (the newest intact one is never deleted)', integer(1), 3))
    .addOption(backendOption())
    .action(async (flags: TrainCommandFlags) => {
      const { preset, checkpointEvery, out, resume, resumeIfExists, force, keep, backend, ...runFlags } = flags;
      const resumeFrom = resume === true || resumeIfExists ? out : resume;
      const saved = resumeFrom ? savedRunConfig(resumeFrom) : null;
      const config = resolveRunConfig(runFlags, saved ?? (preset ? TRAIN_PRESETS[preset] : {}));
      await runTrainWithProgress({ config, backend, out, resume, resumeIfExists, force, checkpointEvery, keep, stopOnSignals: true });
    });
}
