import { openTorchFile } from '@vjepa/torch-format';
import { checkReadOptions, type Vjepa2Checkpoint, type Vjepa2ReadOptions } from './checkpoint';
import { officialVjepa2Of } from './official-file';

/**
 * Opens an official V-JEPA 2 `.pt` (the zip format of `torch.save`; see `officialVjepa2Of` for what is
 * read): tensors are read from disk one at a time when asked.
 *
 * @param path - the `.pt` file.
 * @param options - which encoder, and what the shapes cannot say.
 * @throws CheckpointError for a bad file, a disallowed pickle global, another architecture, missing or unexpected keys; UsageError for bad options.
 */
export function openOfficialVjepa2(path: string, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  checkReadOptions(options);
  return officialVjepa2Of(openTorchFile(path), options);
}
