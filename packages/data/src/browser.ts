/**
 * The browser build of `@vjepa/data` (export condition `browser`): the official frame sampling, crops,
 * resizing, transforms, in-memory and synthetic sources and the loader. Everything that runs ffmpeg or
 * reads files (decoding, probing, video files, CSV and folder lists, `openClipSource`) is Node-only;
 * `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export * from './portable';
