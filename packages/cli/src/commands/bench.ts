import type { Command } from 'commander';
import { BACKEND_REQUESTS, fail, type AcceleratorRequest, type BackendRequest } from '@vjepa/core';
import {
  BENCH_CONFIG,
  BENCH_TABLE_HEADER,
  benchDetails,
  benchJson,
  benchRow,
  readBenchConfig,
  runBench,
  tokensPerClip,
  type BenchConfig,
  type BenchResult,
} from '@vjepa/trainer';
import { acceleratorOption, integer, listOf, oneOf, option, threadsOption } from '../options';

/** The flags of `vjepa bench`, as commander parses them. */
export interface BenchFlags {
  /** `step`: the full V-JEPA training step; `forward`: the encoder forward alone. */
  what: 'step' | 'forward';
  backends: BackendRequest[];
  /** Timed runs per backend, after 2 warm-ups. */
  runs: number;
  /** Clips per batch, over the config's. */
  batch?: number;
  /** A JSON or YAML bench config. */
  config?: string;
  json?: boolean;
  profile?: boolean;
  /** Memory soak: untimed steps after the timed ones. */
  steps: number;
  accelerator: AcceleratorRequest;
  threads?: number;
  /** Pool sizes timed against each other in one process, taking turns in blocks of 3 runs. */
  interleaveThreads?: number[];
}

/** Where `vjepa bench` writes: the table (and profile) lines, and the JSON lines. */
export interface BenchOutput {
  table: (line: string) => void;
  json: (line: string) => void;
}

/** Untimed runs before the timed ones. */
const WARMUP = 2;

/** The model and clip sizes of the flags: the bench configuration or `--config`, with `--batch` on top. */
export function benchConfig(flags: Pick<BenchFlags, 'config' | 'batch'>): BenchConfig {
  const base = flags.config === undefined ? BENCH_CONFIG : readBenchConfig(flags.config, '--config');
  return flags.batch === undefined ? base : { ...base, batch: flags.batch };
}

/**
 * `vjepa bench`: reads the config, prints what runs, then per backend a table row (and with `--profile`
 * the ranked kernels) and, with `--json`, one JSON line. With `--json` the table goes to stderr so that
 * stdout holds only the JSON lines.
 */
export async function runBenchCommand(flags: BenchFlags, output?: BenchOutput): Promise<BenchResult[]> {
  if (flags.interleaveThreads) {
    const sizes = flags.interleaveThreads;
    if (sizes.length < 2) fail('--interleave-threads', 'at least two pool sizes (one twice, e.g. 1,1: the A/A control)', sizes.join(','));
    if (flags.threads !== undefined) fail('--threads', 'none beside --interleave-threads (it sets the pool itself)', flags.threads);
    if (flags.profile) fail('--profile', 'none beside --interleave-threads', true);
    if (flags.steps > 0) fail('--steps', '0 beside --interleave-threads', flags.steps);
  }
  const config = benchConfig(flags);
  const out: BenchOutput = output ?? {
    table: flags.json ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line),
    json: (line) => console.log(line),
  };
  const { encoder, predictor, geometry, batch } = config;
  const step = flags.what === 'step';
  out.table(
    `bench: ${step ? 'full V-JEPA training step (VjepaTrainStep.run, official masks, officialRecipe(300))' : 'encoder forward'}; ` +
      `encoder ${encoder.dim}/${encoder.depth}/${encoder.heads}` +
      (step ? `, predictor ${predictor.dim}/${predictor.depth}` : '') +
      `; ${geometry.frames}×${geometry.crop}×${geometry.crop} clips, tubelet ${geometry.tubelet}, patch ${geometry.patch} (${tokensPerClip(geometry)} tokens); ` +
      `batch ${batch}; median of ${flags.runs} after ${WARMUP} warm-ups`,
  );
  out.table(BENCH_TABLE_HEADER);
  if (flags.interleaveThreads) out.table(`(pool sizes ${flags.interleaveThreads.join(', ')} taking turns in blocks of 3 runs, ${flags.runs} runs each)`);
  return runBench({
    what: flags.what,
    backends: flags.backends,
    runs: flags.runs,
    warmup: WARMUP,
    config,
    profile: flags.profile === true,
    soakSteps: flags.steps,
    accelerator: flags.accelerator,
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    ...(flags.interleaveThreads === undefined ? {} : { interleaveThreads: flags.interleaveThreads }),
    onResult: (result) => {
      for (const line of [benchRow(result), ...benchDetails(result)]) out.table(line);
      if (flags.json) out.json(JSON.stringify(benchJson(result)));
    },
  });
}

/** `vjepa bench`: time the full V-JEPA training step or the encoder forward, per backend. */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'time the full V-JEPA training step (default; encoder 192/6/3, predictor 96/4, 16×64×64 clips, batch 4, official masks) or the encoder forward, per backend',
    )
    .addOption(option('--what <what>', 'step (VjepaTrainStep.run) | forward (the encoder forward alone)', oneOf(['step', 'forward'] as const), 'step'))
    .addOption(option('--backends <list>', `comma-separated backends: ${BACKEND_REQUESTS.join(', ')}`, listOf(oneOf(BACKEND_REQUESTS)), ['wasm']))
    .addOption(option('--runs <n>', `timed runs per backend, after ${WARMUP} warm-ups (median and min reported)`, integer(1), 10))
    .addOption(option('--batch <n>', "clips per batch (default 4, or the config file's)", integer(1)))
    .option('--config <file>', 'JSON or YAML with encoder {dim, depth, heads, mlpRatio}, predictor {dim, depth, heads, mlpRatio}, geometry {frames, crop, patch, tubelet}, batch')
    .option('--json', 'one JSON line per backend on stdout (the table goes to stderr)')
    .option('--profile', 'profile one more step and print its kernels ranked by total time, with counts')
    .addOption(option('--steps <n>', 'memory soak: n more untimed steps, then RSS and tensors at both ends', integer(0), 0))
    .addOption(acceleratorOption())
    .addOption(threadsOption())
    .addOption(
      option(
        '--interleave-threads <list>',
        "pool sizes to time against each other in one process (e.g. 1,2; 1,1 is the A/A control): they take turns in blocks of 3 runs, --runs each, one result per size — the fair comparison beside a competing process (native kernels only; not with --threads, --profile or --steps)",
        listOf(integer(1)),
      ),
    )
    .action(async (flags: BenchFlags) => {
      await runBenchCommand(flags);
    });
}
