/**
 * The exports of `@vjepa/torch-format` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export { TorchFormatError } from './errors';
export { DTYPE_BYTES, TORCH_DTYPES, STORAGE_DTYPES, toFloat32, type TorchDtype, type TorchTensorData } from './dtypes';
export { PyFloat, PyOrderedDict, PyTuple, pyTuple, type StorageRef } from './values';
export { TorchTensor, type TensorValue } from './tensor';
export { ALLOWED_GLOBALS, UnsafeGlobalError } from './allow-list';
export { unpickle, type AllowedGlobal, type UnpickleOptions, type Unpickled } from './unpickler';
export { pickleTorch, isTensorValue, type TensorInput } from './pickler';
export { serializeTorchFile, type SaveTorchOptions } from './save';
export { flattenTorch, toJsonValue, type FlatTorch } from './flatten';
export { readPretrainedStateDict, stripOfficialPrefixes, type Float32Tensor } from './pretrained';
