export * from './portable';
export { FEATURE_CACHE_FORMAT, FEATURE_CACHE_TENSOR, readFeatureCache, writeFeatureCache } from './feature-cache';
