/**
 * `@vjepa/base` — what every V-JEPA package shares and that needs no tfjs: error classes with kinds, the
 * option-key checks, one value printer, the index types, half floats, the safetensors format (bytes) and
 * Python's rounding. Browser-safe; the Node-only atomic file writes are in `@vjepa/base/node`.
 *
 * @packageDocumentation
 */
export {
  CheckpointError,
  DataError,
  DivergenceError,
  IoError,
  LockError,
  UsageError,
  Verbatim,
  VjepaError,
  describe,
  fail,
  formatFailure,
  verbatim,
  type ErrorKind,
} from './errors';
export { checkKeys, closestKey, keyDistance, optionKeys, type KeyList } from './options';
export type { NativeKernels, NativeLoad } from './native-kernels';
export type { IndexBatch, MaskPair, TokenGrid } from './types';
export { roundHalfEven } from './round-half-even';
export { sameShape } from './same-shape';
export { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float';
export {
  MAX_HEADER_BYTES,
  decodeSafetensorData,
  decodeSafetensors,
  int64ToInt32,
  parseSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  serializeSafetensors,
  type SafeDtype,
  type SafeTensor,
  type SafeTensorData,
  type SafeTensorInput,
  type SafeTensorsInput,
  type SafetensorsEntry,
  type SafetensorsFile,
  type SafetensorsHeaderOptions,
  type SafetensorsLayout,
} from './safetensors';
