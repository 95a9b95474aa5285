export * from './portable';
export { openTorchFile, parseTorchFile, type TorchFile, type TorchFileFormat } from './load';
export { saveTorchFile } from './save-file';
export { fileSource } from './file-source';
export type { ByteSource } from './byte-source';
