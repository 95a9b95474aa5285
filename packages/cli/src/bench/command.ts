import { tokensPerClip } from './config';
import { parseBenchFlags, type BenchFlags } from './flags';
import { BENCH_TABLE_HEADER, benchDetails, benchJson, benchRow } from './format';
import { runBench, type BenchResult } from './run';

/** Where `vjepa bench` writes: the table (and profile) lines, and the JSON lines. */
export interface BenchOutput {
  table: (line: string) => void;
  json: (line: string) => void;
}

/**
 * `vjepa bench`: checks the flags, prints what runs, then per backend a table row (and with `--profile`
 * the ranked kernels) and, with `--json`, one JSON line. With `--json` the table goes to stderr so that
 * stdout holds only the JSON lines.
 */
export async function runBenchCommand(flags: BenchFlags, output?: BenchOutput): Promise<BenchResult[]> {
  const plan = parseBenchFlags(flags);
  const out: BenchOutput = output ?? {
    table: plan.json ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line),
    json: (line) => console.log(line),
  };
  const { encoder, predictor, geometry, batch } = plan.config;
  out.table(
    `bench: ${plan.what === 'step' ? 'full V-JEPA training step (VjepaTrainStep.run, official masks, officialRecipe(300))' : 'encoder forward'}; ` +
      `encoder ${encoder.dim}/${encoder.depth}/${encoder.heads}` +
      (plan.what === 'step' ? `, predictor ${predictor.dim}/${predictor.depth}` : '') +
      `; ${geometry.frames}×${geometry.crop}×${geometry.crop} clips, tubelet ${geometry.tubelet}, patch ${geometry.patch} (${tokensPerClip(geometry)} tokens); ` +
      `batch ${batch}; median of ${plan.runs} after ${plan.warmup} warm-ups`,
  );
  out.table(BENCH_TABLE_HEADER);
  return runBench({
    what: plan.what,
    backends: plan.backends,
    runs: plan.runs,
    warmup: plan.warmup,
    config: plan.config,
    profile: plan.profile,
    soakSteps: plan.soakSteps,
    accelerator: plan.accelerator,
    threads: plan.threads,
    onResult: (result) => {
      for (const line of [benchRow(result), ...benchDetails(result)]) out.table(line);
      if (plan.json) out.json(JSON.stringify(benchJson(result)));
    },
  });
}
