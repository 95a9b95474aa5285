export { createProgram, main } from './main';
export { runProbe, type ProbeOptions, type ProbeSummary } from './commands/probe';
export { runEmbed, type EmbedOptions } from './commands/embed';
export { acceleratorLines, runDoctor } from './commands/doctor';
export { runBench, type BenchOptions, type BenchResult, type SoakResult } from './bench/run';
export { runBenchCommand, type BenchOutput } from './bench/command';
export { parseBenchFlags, type BenchFlags, type BenchPlan } from './bench/flags';
export { BENCH_CONFIG, readBenchConfig, resolveBenchConfig, tokensPerClip, type BenchConfig, type BenchConfigInput } from './bench/config';
export {
  blockFlops,
  encoderForwardFlops,
  patchEmbedFlops,
  predictorForwardFlops,
  stepFlops,
  type EncoderSizes,
  type MaskLengths,
  type PredictorSizes,
  type StepFlops,
} from './bench/flops';
export { formatProfile, summarizeProfile, type KernelTotal, type ProfiledKernel, type ProfileSummary } from './bench/profile';
export { BENCH_TABLE_HEADER, benchDetails, benchJson, benchRow } from './bench/format';
