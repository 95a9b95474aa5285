/**
 * `@vjepa/official`: the official V-JEPA PyTorch layouts (facebookresearch/jepa) and ours, both ways —
 * official `.pth.tar` encoders and attentive probes read directly, a run folder of `@vjepa/trainer` ⇄ an
 * official pretraining checkpoint with its four AdamW groups, `inspect` and `convert` of any `.pth*` /
 * `.safetensors` file or run folder, and the parity runner that checks our models against the official
 * code's reference outputs. `@vjepa/torch-format` stays the file format alone; this package maps its
 * contents. Node only (it reads and writes files).
 *
 * @packageDocumentation
 */
export { hostStateDict, isTorchPath, readOfficialClassifier, readOfficialEncoder, withTorchFile, type HostStateDict } from './torch-files';
export { inferEncoderConfig, type InferOverrides } from './infer-encoder';
export { checkpointRunConfig, loadEncoderWeights, runConfigForEncoder } from './encoder-source';
export {
  featureSourceConfig,
  loadEncoder,
  openFeatureSource,
  type FeatureSource,
  type FeatureSourceOptions,
} from './feature-source';
export { probeSource, type ProbeSourceOptions } from './probe-source';
export { finetuneSource, type FinetuneResult, type FinetuneSourceOptions } from './finetune-source';
export { folderToOfficial, VJEPA_STATE_KEY, OFFICIAL_ORIGIN_KEY, type OfficialOrigin, type ToOfficialOptions } from './to-official';
export { officialToFolder } from './from-official';
export { officialLayout, matchOfficialGroups, type OfficialLayout, type OfficialGroup, type OfficialMember, type SavedGroup, type MatchedGroup } from './official-groups';
export { toOfficialOptimizer, fromOfficialOptimizer, type GroupDefaults } from './official-optimizer';
export { readOfficialProbeRun, writeOfficialProbeRun, type OfficialProbeRun, type OfficialProbeRunValues } from './probe-run';
export { formatInspect, inspectFile, type InspectReport } from './inspect';
export { runConvert, type ConvertOptions } from './convert';
export { writeSafetensorsStreaming, type StreamedTensor } from './safetensors-stream';
export { PARITY_TOLERANCE, compareReference, runParity, type ParityComparison, type ParityPart, type ParityReport } from './parity/run';
export { loadReference, type ReferenceWeights } from './parity/reference';
export { buildModels, referenceFromBytes, referenceIndices, referenceVideo, type Reference, type ReferenceConfig } from './parity/reference-models';
export { maxAbsError } from '@vjepa/core';
export * from './vjepa2';
export { isVjepa2Checkpoint, openVjepa2Encoder, type Vjepa2EncoderSource } from './vjepa2-encoder-source';
export {
  buildVjepa2Models,
  isVjepa2Config,
  vjepa2ModelConfigs,
  vjepa2Probe,
  type Vjepa2JsonConfig,
  type Vjepa2ModelConfigs,
} from './parity/vjepa2';
