import type { Command } from 'commander';
import { VOE_SETS } from '@vjepa/data';
import { formatSurpriseTable, runSurprise, SURPRISE_BASELINES, surpriseJson, surpriseMeasurements, type SurpriseRunOptions } from '@vjepa/trainer';
import { backendOption, integer, listOf, name, oneOf, option } from '../options';

/** The flags of `vjepa surprise`, as commander parses them. */
interface SurpriseFlags extends Omit<SurpriseRunOptions, 'runs' | 'baselines' | 'log'> {
  baseline?: SurpriseRunOptions['baselines'];
  json?: boolean;
  measurements?: boolean;
}

/** `vjepa surprise`: violation-of-expectation scores of runs and baselines, as a table or JSON lines. */
export function register(program: Command): void {
  program
    .command('surprise')
    .description("violation-of-expectation: how much more surprised each run's predictor is by the impossible twin of a pair; pairwise accuracy and AUROC per event")
    .argument('[runs...]', 'vjepa train output folders or checkpoint directories (a --target pixels run scores in pixel space)')
    .addOption(option('--baseline <names>', `baselines scored beside the runs, comma-separated: ${SURPRISE_BASELINES.join(', ')}`, listOf(oneOf(SURPRISE_BASELINES))))
    .addOption(option('--sets <names>', `pair sets (default all: ${VOE_SETS.join(', ')})`, listOf(name)))
    .option('--pairs <file>', 'a CSV of possible,impossible video paths, one pair a row, instead of the synthetic sets')
    .addOption(option('--count <n>', 'pairs per synthetic set', integer(1), 64))
    .addOption(option('--seed <n>', 'content seed of the synthetic pairs', integer(0), 0))
    .addOption(option('--untrained-steps <n>', "steps of the untrained baseline's predictor training on its frozen features", integer(1), 300))
    .addOption(option('--frame-step <n>', "with --pairs: take every n-th frame (default the run's)", integer(1)))
    .addOption(option('--target-view <view>', "what the target encoder sees for step s: causal (the context and step s) or full (the whole clip, as in training)", oneOf(['causal', 'full'] as const), 'causal'))
    .addOption(option('--context-steps <n>', 'tubelet steps of context before each predicted step (default all before it)', integer(1)))
    .addOption(option('--batch-size <n>', 'clips per forward pass', integer(1), 8))
    .option('--json', 'print one JSON line per scorer and set instead of the table (progress goes to stderr)')
    .option('--measurements', 'print the main job\'s lines instead: {"encoder","task","metric","value","baseline","baseline_value"}, each feature run against each baseline (progress goes to stderr)')
    .addOption(backendOption())
    .action(async (runs: string[], o: SurpriseFlags) => {
      const { baseline, json, measurements, ...rest } = o;
      const quiet = json || measurements;
      const rows = await runSurprise({ ...rest, runs, baselines: baseline, log: quiet ? (line) => console.error(line) : undefined });
      if (measurements) console.log(surpriseMeasurements(rows).map((line) => JSON.stringify(line)).join('\n'));
      else console.log(json ? rows.map(surpriseJson).join('\n') : formatSurpriseTable(rows));
    });
}
