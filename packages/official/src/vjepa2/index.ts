/**
 * V-JEPA 2 files: official `.pt` checkpoints and probes, Hugging Face `VJEPA2Model` /
 * `VJEPA2ForVideoClassification` folders, read lazily into state dicts with the official key names plus
 * the architecture they describe; and the writer of Hugging Face folders.
 *
 * @packageDocumentation
 */
export { VJEPA2_SIZES, describeArch, type Vjepa2Arch, type Vjepa2EncoderArch, type Vjepa2PredictorArch, type Vjepa2ProbeArch, type Vjepa2Protocol, type Vjepa2Size } from './arch';
export { VJEPA2_READ_OPTION_KEYS, type Vjepa2Checkpoint, type Vjepa2Format, type Vjepa2ReadOptions } from './checkpoint';
export { inferVjepa2Arch, probeProtocol, releasedSize, type HfVjepa2Config, type Vjepa2Hints, type Vjepa2States } from './infer';
export { concatRows, lazyFromHost, lazyTensor, readAll, sliceRows, type LazyStateDict, type LazyTensor, type WeightDtype } from './lazy-tensor';
export { lazySafetensors, parseLazySafetensors, type LazySafetensors, type SafetensorsBytes } from './lazy-safetensors';
export { openLazySafetensors } from './lazy-safetensors-file';
export { encoderKeys, predictorKeys, probeKeys, type Vjepa2Group } from './official-keys';
export { hfToOfficial, officialToHf, HF_CLASSIFIER_PREFIX, HF_MASK_TOKENS } from './hf-keys';
export { HF_CONFIG, HF_INDEX, HF_WEIGHTS, openHfFolder, openHfVjepa2Files, type HfFolder } from './hf-folder';
export { directoryFolder, openHfVjepa2 } from './read-hf';
export { officialVjepa2Of, parseOfficialVjepa2 } from './official-file';
export { openOfficialVjepa2 } from './read-official';
export { combineVjepa2, openVjepa2, readVjepa2, type Vjepa2Weights } from './open';
export { looksLike } from './recognise';
export { hfConfigJson, pythonFloat, writeVjepa2HuggingFace, type Vjepa2HfInput, type Vjepa2HfWriteOptions, type Vjepa2HfWritten, type WritableState } from './write-hf';
export { releasedClassifierArch, writeRandomVjepa2Classifier, type RandomVjepa2Options } from './random-classifier';
export { hfFolderListing, isHfVjepa2Folder, vjepa2Summary } from './inspect-vjepa2';
// The classification pipeline (portable, also `@vjepa/official/vjepa2`) and its file frames for Node.
export * from './portable';
export { readVjepa2Classifier, videoFileFrames, type Vjepa2ClassifierFiles } from './classify-file';
