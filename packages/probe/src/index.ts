export { AttentivePooler, AttentiveProbe, CrossAttentionBlock, PROBE_NORM_EPS, type AttentiveProbeConfig } from './attentive';
export { crossEntropy } from './losses';
