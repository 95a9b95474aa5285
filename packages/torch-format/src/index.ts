export * from './portable';
export { openTorchFile, parseTorchFile, type TorchFile, type TorchFileFormat } from './load';
export { saveTorchFile } from './save-file';
