export {
  CheckpointError,
  DataError,
  DivergenceError,
  IoError,
  LockError,
  UsageError,
  VjepaError,
  describe,
  fail,
  formatFailure,
  type ErrorKind,
} from './errors';
export { checkKeys, closestKey, keyDistance, optionKeys, type KeyList } from './options';
export type { NativeKernels, NativeLoad } from './native-kernels';
