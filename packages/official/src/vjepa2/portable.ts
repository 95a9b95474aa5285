/**
 * `@vjepa/official/vjepa2`: V-JEPA 2 classification without the file system, for browsers — a Hugging
 * Face classifier folder's files opened from memory, the encoder and probe built and loaded, a clip's
 * frames classified by the probe's protocol. The Node entry re-exports all of it and adds the file readers.
 *
 * @example
 * import { buildVjepa2Classifier, classifyVjepa2Video, memoryFrames, openHfVjepa2Files, readAll } from '@vjepa/official/vjepa2';
 * const files = new Map([['config.json', configBytes], ['model.safetensors', weightBytes]]);
 * const opened = openHfVjepa2Files(files, {}, 'dropped folder');
 * const weights = { arch: opened.arch, source: opened.source, labels: opened.arch.labels, encoder: readAll(opened.encoder!), probe: readAll(opened.probe!) };
 * opened.close();
 * const classifier = buildVjepa2Classifier(weights);
 * const { top } = await classifyVjepa2Video(classifier, memoryFrames('clip', frames, 32, 240, 320));
 *
 * @packageDocumentation
 */
export { VJEPA2_SIZES, describeArch, type Vjepa2Arch, type Vjepa2EncoderArch, type Vjepa2ProbeArch, type Vjepa2Protocol } from './arch';
export type { Vjepa2Checkpoint, Vjepa2Format, Vjepa2ReadOptions } from './checkpoint';
export { readAll, type LazyStateDict, type LazyTensor } from './lazy-tensor';
export { HF_CONFIG, HF_INDEX, HF_WEIGHTS, openHfVjepa2Files } from './hf-folder';
export {
  VJEPA2_CLASSIFIER_OPTION_KEYS,
  buildVjepa2Classifier,
  classifyProtocol,
  type Vjepa2Classifier,
  type Vjepa2ClassifierMode,
  type Vjepa2ClassifierOptions,
  type Vjepa2ClassifierWeights,
  type Vjepa2ClassifyProtocol,
} from './classifier';
export { buildEk100Probe } from './ek100-probe';
export {
  classifyVjepa2Video,
  memoryFrames,
  topClasses,
  vjepa2SegmentIndices,
  type Vjepa2Classification,
  type Vjepa2ClassifyVideoOptions,
  type Vjepa2ClipProgress,
  type Vjepa2Prediction,
  type Vjepa2VideoFrames,
} from './classify-video';
