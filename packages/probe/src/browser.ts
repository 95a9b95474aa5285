/**
 * The browser build of `@vjepa/probe` (export condition `browser`): the probes, feature extraction
 * without a cache file, training and evaluation. The feature cache, `runProbe` and `embedClips` read
 * or write files and are Node-only; `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export * from './portable';
