import { fileSource } from '@vjepa/torch-format';
import { lazySafetensors, type LazySafetensors } from './lazy-safetensors';

/**
 * Opens a safetensors file lazily (see `lazySafetensors`): the header validated now, each tensor read
 * from disk with positioned reads when asked. Close it when done.
 *
 * @param path - the file.
 * @throws CheckpointError for a malformed or truncated file.
 */
export function openLazySafetensors(path: string): LazySafetensors {
  return lazySafetensors(fileSource(path));
}
