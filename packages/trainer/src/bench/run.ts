import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, fail, gemmKernel, RandomStream, selectBackend, type AcceleratorRequest, type BackendRequest, type GemmKernel, type MaskPair } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { VisionTransformer } from '@vjepa/vit';
import { createPretrainingModels, createTrainStep, officialRecipe } from '../recipe';
import { BENCH_CONFIG, tokensPerClip, type BenchConfig } from './config';
import { encoderForwardFlops, stepFlops, type EncoderSizes, type PredictorSizes } from './flops';
import { summarizeProfile, type ProfileSummary } from './profile';

/** The memory soak of `--steps N`: untimed steps after the timed ones. */
export interface SoakResult {
  steps: number;
  /** Resident set size (MiB) and live tensors before the soak steps and after them. */
  rssStartMb: number;
  rssEndMb: number;
  tensorsStart: number;
  tensorsEnd: number;
  /** RSS (MiB) after each tenth of the soak: a plateau is the allocator's high-water mark, a slope a leak. */
  rssTenthsMb: number[];
}

/** What one backend measured. */
export interface BenchResult {
  backend: string;
  /** The fast kernels active (`selectBackend(...).accelerator`). */
  accelerator: 'native' | 'none';
  acceleratorReason: string;
  /** With the native kernels: the threads of their pool, and the GEMM kernel that ran (OpenBLAS's core, or the built-in GEMM). */
  native?: {
    threads: number;
    gemm: GemmKernel;
    /** Over the timed runs: how often the pool stopped splitting because splitting did not pay (a competing process), and the regions it ran inline then. */
    backoffs: number;
    inlineRegions: number;
  };
  /** On webgpu: the adapter the numbers were measured on. */
  adapter?: string;
  what: 'step' | 'forward';
  /** Wall time of each timed run, in order. */
  timesMs: number[];
  /** With `interleaveThreads`: the median of each of this size's blocks, in order (block k of every size ran side by side). */
  blockMediansMs?: number[];
  medianMs: number;
  minMs: number;
  /** Clips per second at the median time. */
  clipsPerS: number;
  /** Matrix-product FLOPs of the timed runs over their summed time (see `stepFlops`). */
  gflops: number;
  /** Mean matrix-product FLOPs of one timed run (it varies with the mask sizes drawn). */
  flopsPerRun: number;
  /** `process.resourceUsage().maxRSS / 1024`: the process's peak so far, in MiB. */
  peakRssMb: number;
  /** `tf.memory().numTensors` after the timed runs minus before them (0: nothing leaks). */
  tensorsDelta: number;
  soak?: SoakResult;
  profile?: ProfileSummary;
}

/** Options of {@link runBench}; the defaults are the bench configuration of the performance issue. */
export interface BenchOptions {
  /** `step` (default): `VjepaTrainStep.run` of the full V-JEPA step; `forward`: the encoder forward alone. */
  what?: 'step' | 'forward';
  /** Default `['wasm']`. */
  backends?: BackendRequest[];
  /** Timed runs (default 10). */
  runs?: number;
  /** Untimed runs first (default 2). */
  warmup?: number;
  /** Model and clip sizes (default `BENCH_CONFIG`). */
  config?: BenchConfig;
  /** Profile one more run and rank its kernels (default false). */
  profile?: boolean;
  /** Untimed runs after the timed ones, reporting RSS and tensors at both ends (default 0). */
  soakSteps?: number;
  /** Native kernels on wasm (`selectBackend`'s `accelerator`, default `auto`). */
  accelerator?: AcceleratorRequest;
  /** Threads of the native kernels' pool (default: `selectBackend`'s, the CPUs this process may use). */
  threads?: number;
  /**
   * Pool sizes to time against each other in one process: the timed runs go in blocks of `block` runs per
   * size, the sizes taking turns (in an order that reverses every turn), each block after one untimed run at
   * its size (so that the pool's back-off settles), `runs` timed runs per size. One result per size, each measured under the same conditions (a
   * competing process, the host's drift) as the others; a size listed twice (`[1, 1]`) measures the method's
   * own noise. Needs the native kernels; not with `threads`.
   */
  interleaveThreads?: number[];
  /** Timed runs per block with `interleaveThreads` (default 3). */
  block?: number;
  /** Seed of the weights, clips and masks (default 0). */
  seed?: number;
  /** Called with each backend's figures as soon as they are measured. */
  onResult?: (result: BenchResult) => void;
}

/** One workload on the active backend: a run, the FLOPs of the last run, and cleanup. */
interface Workload {
  /** One run; on webgpu it ends with an asynchronous read (Node cannot read webgpu tensors synchronously). */
  run(): Promise<void>;
  lastFlops(): number;
  dispose(): void;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function mib(bytes: number): number {
  return bytes / 2 ** 20;
}

function encoderSizes(config: BenchConfig): EncoderSizes {
  return { dim: config.encoder.dim, depth: config.encoder.depth, mlpRatio: config.encoder.mlpRatio, channels: 3, patch: config.geometry.patch, tubelet: config.geometry.tubelet };
}

function encoderConfig(config: BenchConfig) {
  const { frames, crop, patch, tubelet } = config.geometry;
  const { dim, depth, heads, mlpRatio } = config.encoder;
  return { dim, depth, heads, mlpRatio, frames, imageSize: crop, patch, tubelet };
}

function randomClips(config: BenchConfig, seed: number): tf.Tensor5D {
  const { frames, crop } = config.geometry;
  const shape: [number, number, number, number, number] = [config.batch, frames, crop, crop, 3];
  const rng = new RandomStream(seed + 1);
  return tf.tensor5d(rng.uniform(shape.reduce((a, b) => a * b, 1), -2, 2), shape);
}

/** Steps the official recipe is sized for: 300, or every step a long soak takes (schedules must cover them). */
export function recipeSteps(stepsTaken: number): number {
  return Math.max(300, Math.ceil(stepsTaken / 1.25));
}

/** The full V-JEPA step: `step.run(video, masks.sample(batch))`, as the training loop calls it (masks drawn inside the timed run). */
function trainStepWorkload(config: BenchConfig, seed: number, stepsTaken: number): Workload {
  const masks = new MaskCollator({ grid: config.geometry, seed }); // the official two generators
  const models = createPretrainingModels({ encoder: encoderConfig(config), predictor: { ...config.predictor }, seed });
  const step = createTrainStep(models, officialRecipe(recipeSteps(stepsTaken)));
  const video = randomClips(config, seed);
  const predictor: PredictorSizes = { ...config.predictor, outputDim: config.encoder.dim };
  const tokens = tokensPerClip(config.geometry);
  let drawn: MaskPair[] = [];
  return {
    async run() {
      drawn = masks.sample(config.batch);
      if (tf.getBackend() === 'webgpu') await step.runAsync(video, drawn);
      else step.run(video, drawn);
    },
    lastFlops: () =>
      stepFlops(encoderSizes(config), predictor, config.batch, tokens, drawn.map((m) => ({ context: m.context.shape[1], target: m.target.shape[1] }))).total,
    dispose() {
      step.dispose();
      models.encoder.dispose();
      models.predictor.dispose();
      models.targetEncoder.dispose();
      video.dispose();
    },
  };
}

/** The encoder forward alone on the whole clip. */
function forwardWorkload(config: BenchConfig, seed: number): Workload {
  const encoder = new VisionTransformer(encoderConfig(config), { rng: new RandomStream(seed) });
  const video = randomClips(config, seed);
  const flops = encoderForwardFlops(encoderSizes(config), config.batch, tokensPerClip(config.geometry));
  return {
    async run() {
      const out = encoder.apply(video);
      if (tf.getBackend() === 'webgpu') await out.data();
      else out.dataSync();
      out.dispose();
    },
    lastFlops: () => flops,
    dispose() {
      encoder.dispose();
      video.dispose();
    },
  };
}

/** The pool's back-off counters now, or [0, 0] without the native kernels. */
function poolCounters(): [number, number] {
  return activeNativeKernels()?.poolBackoffs() ?? [0, 0];
}

/** The native kernels' pool size, GEMM kernel and back-offs since `before`, when they ran. */
function nativeDetails(threads: number | undefined, before: [number, number]): Pick<BenchResult, 'native'> {
  const kernels = activeNativeKernels();
  if (kernels === null || threads === undefined) return {};
  const [backoffs, inlineRegions] = kernels.poolBackoffs();
  return { native: { threads, gemm: gemmKernel(kernels), backoffs: backoffs - before[0], inlineRegions: inlineRegions - before[1] } };
}

type Choice = Awaited<ReturnType<typeof selectBackend>>;

/** `count` timed runs of `workload`: each one's wall time, and their FLOPs summed. */
async function timeRuns(workload: Workload, count: number): Promise<{ timesMs: number[]; flops: number }> {
  const timesMs: number[] = [];
  let flops = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await workload.run();
    timesMs.push(performance.now() - start);
    flops += workload.lastFlops();
  }
  return { timesMs, flops };
}

/** The figures of one series of timed runs. */
function summarize(run: { choice: Choice; what: 'step' | 'forward'; config: BenchConfig; timesMs: number[]; flops: number; tensorsDelta: number; native: Pick<BenchResult, 'native'> }): BenchResult {
  const { choice, timesMs } = run;
  const medianMs = median(timesMs);
  return {
    backend: choice.backend,
    accelerator: choice.accelerator.name,
    acceleratorReason: choice.accelerator.reason,
    ...run.native,
    ...(choice.adapter ? { adapter: `${choice.adapter.description}${choice.adapter.software ? ' (software)' : ''}` } : {}),
    what: run.what,
    timesMs,
    medianMs,
    minMs: Math.min(...timesMs),
    clipsPerS: run.config.batch / (medianMs / 1000),
    gflops: run.flops / timesMs.reduce((a, b) => a + b, 0) / 1e6,
    flopsPerRun: run.flops / timesMs.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    tensorsDelta: run.tensorsDelta,
  };
}

/** `interleaveThreads`, checked (at least two integers ≥ 1 — a size twice is the A/A control of the method — not with `threads`, a profile or a soak), or undefined. */
function interleavedSizes(options: BenchOptions): number[] | undefined {
  const sizes = options.interleaveThreads;
  if (sizes === undefined) return undefined;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) fail('interleaveThreads', 'at least two integers ≥ 1', sizes);
  if (options.threads !== undefined) fail('threads', 'none beside interleaveThreads (it sets the pool itself)', options.threads);
  if (options.profile) fail('profile', 'false beside interleaveThreads', options.profile);
  if ((options.soakSteps ?? 0) > 0) fail('soakSteps', '0 beside interleaveThreads', options.soakSteps);
  return sizes;
}

/**
 * The pool sizes taking turns over `runs` timed runs each, in blocks of `block` (the last block of each
 * size as long as what is left), each block after one untimed run at its size, the order of the sizes
 * reversing every turn (a drift inside a turn then favours none); the pool ends as it began. One result per size.
 */
async function interleave(workload: Workload, sizes: number[], runs: number, block: number, choice: Choice, options: BenchOptions): Promise<BenchResult[]> {
  const kernels = activeNativeKernels()!;
  const series = sizes.map(() => ({ timesMs: [] as number[], blockMediansMs: [] as number[], flops: 0, backoffs: 0, inlineRegions: 0 }));
  const tensorsBefore = tf.memory().numTensors;
  for (let done = 0, turn = 0; done < runs; done += block, turn++) {
    // the order reverses every turn (1 2, 2 1, 1 2, …): a size never always follows another
    const order = sizes.map((_, k) => k);
    if (turn % 2 === 1) order.reverse();
    for (const k of order) {
      const size = sizes[k];
      kernels.setThreads(size);
      await workload.run(); // untimed: the new pool's back-off settles
      const s = series[k];
      const before = poolCounters();
      const { timesMs: times, flops } = await timeRuns(workload, Math.min(block, runs - done));
      s.flops += flops;
      const after = poolCounters();
      s.backoffs += after[0] - before[0];
      s.inlineRegions += after[1] - before[1];
      s.timesMs.push(...times);
      s.blockMediansMs.push(median(times));
    }
  }
  kernels.setThreads(choice.accelerator.threads ?? 0); // the pool as selectBackend left it
  const tensorsDelta = tf.memory().numTensors - tensorsBefore;
  const gemm = gemmKernel(kernels);
  return series.map((s, k) => {
    const native = { native: { threads: sizes[k], gemm, backoffs: s.backoffs, inlineRegions: s.inlineRegions } };
    const result = { ...summarize({ choice, what: options.what ?? 'step', config: options.config ?? BENCH_CONFIG, timesMs: s.timesMs, flops: s.flops, tensorsDelta, native }), blockMediansMs: s.blockMediansMs };
    options.onResult?.(result);
    return result;
  });
}

/**
 * Times the full V-JEPA training step (or the encoder forward) of a configuration on each backend: the
 * median and minimum of `runs` after `warmup`, clips/s, GFLOP/s from the matrix-product count of the runs
 * (with the mask sizes actually drawn), the peak RSS, the tensor count change over the timed runs, and
 * optionally a kernel profile of one run and a memory soak. Never asserts anything about time.
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult[]> {
  const { what = 'step', backends = ['wasm'], runs = 10, warmup = 2, config = BENCH_CONFIG, seed = 0, soakSteps = 0, accelerator = 'auto', threads } = options;
  const sizes = interleavedSizes(options);
  const block = options.block ?? 3;
  if (!Number.isInteger(block) || block < 1) fail('block', 'an integer ≥ 1', block);
  const results: BenchResult[] = [];
  for (const request of backends) {
    const choice = await selectBackend(request, { accelerator, ...(threads === undefined ? {} : { threads }) });
    if (sizes && choice.accelerator.name !== 'native') fail('interleaveThreads', 'the native kernels (their pool is what it times)', `accelerator ${choice.accelerator.name} on ${choice.backend}`);
    const blocks = sizes ? Math.ceil(runs / block) : 0;
    const stepsTaken = warmup + runs * (sizes?.length ?? 1) + blocks * (sizes?.length ?? 0) + soakSteps + (options.profile ? 1 : 0);
    const workload = what === 'step' ? trainStepWorkload(config, seed, stepsTaken) : forwardWorkload(config, seed);
    try {
      for (let i = 0; i < warmup; i++) await workload.run();
      if (sizes) {
        results.push(...(await interleave(workload, sizes, runs, block, choice, options)));
        continue;
      }
      const tensorsBefore = tf.memory().numTensors;
      const countersBefore = poolCounters();
      const { timesMs, flops } = await timeRuns(workload, runs);
      const result = summarize({ choice, what, config, timesMs, flops, tensorsDelta: tf.memory().numTensors - tensorsBefore, native: nativeDetails(choice.accelerator.threads, countersBefore) });
      if (options.profile) {
        const start = performance.now();
        const info = await tf.profile(() => workload.run());
        result.profile = { ...summarizeProfile(info.kernels), wallMs: performance.now() - start };
      }
      if (soakSteps > 0) {
        const [rssStart, tensorsStart] = [process.memoryUsage.rss(), tf.memory().numTensors];
        const rssTenthsMb: number[] = [];
        for (let i = 1; i <= soakSteps; i++) {
          await workload.run();
          if (Math.floor((i * 10) / soakSteps) > Math.floor(((i - 1) * 10) / soakSteps)) rssTenthsMb.push(mib(process.memoryUsage.rss()));
        }
        result.soak = { steps: soakSteps, rssStartMb: mib(rssStart), rssEndMb: mib(process.memoryUsage.rss()), tensorsStart, tensorsEnd: tf.memory().numTensors, rssTenthsMb };
        result.peakRssMb = process.resourceUsage().maxRSS / 1024;
      }
      results.push(result);
      options.onResult?.(result);
    } finally {
      workload.dispose();
    }
  }
  return results;
}
