/**
 * The browser build of `@vjepa/torch-format` (export condition `browser`): everything that works on bytes
 * in memory (`parseTorchFile`, `readPretrainedStateDict` of bytes or of a parsed file, `serializeTorchFile`,
 * the unpickler, the pickler). `openTorchFile` and `saveTorchFile` read and write files by path and are
 * Node-only; `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export { TorchFormatError } from './errors';
export { DTYPE_BYTES, TORCH_DTYPES, STORAGE_DTYPES, toFloat32, type TorchDtype, type TorchTensorData } from './dtypes';
export { PyFloat, PyOrderedDict, PyTuple, pyTuple, type StorageRef } from './values';
export { TorchTensor, type TensorValue } from './tensor';
export { ALLOWED_GLOBALS, UnsafeGlobalError } from './allow-list';
export { unpickle, type AllowedGlobal, type UnpickleOptions, type Unpickled } from './unpickler';
export { parseTorchFile, type TorchFile, type TorchFileFormat } from './load';
export { pickleTorch, isTensorValue, type TensorInput } from './pickler';
export { serializeTorchFile, type SaveTorchOptions } from './save';
export { flattenTorch, toJsonValue, type FlatTorch } from './flatten';
export { readPretrainedStateDict, stripOfficialPrefixes, type Float32Tensor } from './pretrained';
