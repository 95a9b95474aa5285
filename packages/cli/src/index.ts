export { createProgram, main } from './main';
export { runParity, PARITY_TOLERANCE, type ParityReport } from './parity/run';
export { loadReference, buildModels, type Reference, type ReferenceConfig } from './parity/reference';
export { resolveRunConfig, readOfficialConfig, TRAIN_DEFAULTS, type RunConfig, type TrainFlags } from './train/config';
export { TRAIN_PRESETS } from './train/presets';
export { runTrain, savedRunConfig, type TrainRunOptions } from './train/run';
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
export { inspectFile, formatInspect, type InspectReport } from './torch/inspect';
export { runConvert, type ConvertOptions } from './torch/convert';
export { folderToOfficial, VJEPA_STATE_KEY, type ToOfficialOptions } from './torch/to-official';
export { officialToFolder } from './torch/from-official';
export { inferEncoderConfig, isTorchPath, readOfficialClassifier, readOfficialEncoder, type HostStateDict, type InferOverrides } from './torch/official';
export { checkpointRunConfig, loadEncoderWeights, runConfigForEncoder } from './torch/encoder-source';
