import { describe, expect, it } from 'vitest';
import * as browser from './browser';
import { readFeatureCache, writeFeatureCache } from './feature-cache.browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: the feature cache, the embeddings file and the probe run read and write files. */
const NODE_ONLY = ['FEATURE_CACHE_FORMAT', 'FEATURE_CACHE_TENSOR', 'readFeatureCache', 'writeFeatureCache', 'embedClips', 'runProbe'];

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['extractFeatures', 'AttentiveProbe'] });

describe('browser feature cache', () => {
  it('refuses a cache file, naming cacheFile', async () => {
    const message = 'cacheFile: expected no cache file in a browser (feature caches are files, which need Node), received "train.safetensors". Leave cacheFile out';
    await expect(readFeatureCache('train.safetensors', 'k', 2)).rejects.toThrow(message);
    await expect(writeFeatureCache('train.safetensors', 'k', new Float32Array(2), [1, 1, 2])).rejects.toThrow(message);
  });
});
