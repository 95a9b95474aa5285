/**
 * The browser build of `@vjepa/torch-format` (export condition `browser`): everything that works on bytes
 * in memory (`parseTorchFile`, `readPretrainedStateDict` of bytes or of a parsed file, `serializeTorchFile`,
 * the unpickler, the pickler). `openTorchFile` and `saveTorchFile` read and write files by path and are
 * Node-only; `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export * from './portable';
export { parseTorchFile, type TorchFile, type TorchFileFormat } from './load';
