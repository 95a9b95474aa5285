import { selectBackend, type AcceleratorRequest, type BackendRequest } from '@vjepa/core';
import { checkParityParts, compareReference, PARITY_PARTS, type ParityPart, type ParityReport } from './compare-reference';
import { loadReference, type ReferenceWeights } from './reference';

export { PARITY_TOLERANCE, compareReference, type ParityComparison, type ParityPart, type ParityReport } from './compare-reference';

/**
 * Compares everything this version can compute with a reference file of the official code: forward
 * outputs (`out/*`, `probe_out/*`, ≤ 1e-4), gradients (`grad/*`, `probe_grad/*`, ≤ 1e-3) and the
 * parameters and losses after the reference's training steps (`train/*`, ≤ 1e-3). Any configuration in the format works
 * (patch and tubelet sizes, widths, depths, heads, batch and mask sizes are read from the file).
 * With `weights`, the models are loaded from official `.pth.tar` checkpoints instead of the reference's groups.
 * `parts` runs only some of the comparisons (all three by default; `unchecked` then lists only what the
 * parts run could have compared). On `webgpu` nothing is read back synchronously, and any validation
 * error of the device is a failure.
 */
export async function runParity(
  file: string,
  backend: BackendRequest = 'auto',
  accelerator: AcceleratorRequest = 'auto',
  weights: ReferenceWeights = {},
  parts: readonly ParityPart[] = PARITY_PARTS,
): Promise<ParityReport> {
  checkParityParts(parts);
  const reference = loadReference(file, weights);
  const choice = await selectBackend(backend, { accelerator });
  const comparison = await compareReference(reference, parts);
  return { file, backend: choice.backend, accelerator: choice.accelerator.name, ...comparison };
}
