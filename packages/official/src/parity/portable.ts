/**
 * `@vjepa/official/parity`: the comparisons of `vjepa parity` without the file system, for browsers —
 * build a reference from its bytes and config, select a backend, compare. The web page runs them on
 * WebGPU and its end-to-end test checks them against Node's.
 *
 * @example
 * import { compareReference, referenceFromBytes } from '@vjepa/official/parity';
 * const reference = referenceFromBytes(new Uint8Array(await (await fetch('tiny.safetensors')).arrayBuffer()), config, 'tiny.safetensors');
 * const { ok, errors } = await compareReference(reference, ['forward', 'train', 'probe']);
 *
 * @packageDocumentation
 */
export { PARITY_PARTS, PARITY_TOLERANCE, compareReference, type ParityComparison, type ParityPart, type ParityReport } from './compare-reference';
export { maxAbsError } from '@vjepa/core';
export {
  buildModels,
  checkReferenceConfig,
  encoderConfig,
  generatorCount,
  referenceFromBytes,
  referenceIndices,
  referenceVideo,
  type Reference,
  type ReferenceConfig,
} from './reference-models';
