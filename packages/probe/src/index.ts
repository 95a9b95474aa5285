export * from './portable';
export { FEATURE_CACHE_FORMAT, FEATURE_CACHE_TENSOR, readFeatureCache, writeFeatureCache } from './feature-cache';
export { embedClips, type EmbedClipsOptions } from './embed';
export { runProbe, type OfficialClassifier, type ProbeSummary, type RunProbeOptions } from './run';
