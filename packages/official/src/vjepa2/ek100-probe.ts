import { CheckpointError, fail, verbatim, type HostTensor, type StateDictInput } from '@vjepa/core';
import { Ek100ProbeV2 } from '@vjepa/probe';
import type { Vjepa2ProbeArch } from './arch';

/**
 * Builds the EPIC-Kitchens-100 probe of V-JEPA 2 (`Ek100ProbeV2`: three queries, then the verb, noun and
 * action heads) from a probe the readers described (`arch.probe` of `openVjepa2` / `readVjepa2` on an
 * official `ek100-*.pt`, `classifiers[0]`) and its weights, read whole.
 *
 * @example
 * const read = readVjepa2('ek100-vitl-256.pt');
 * const probe = buildEk100Probe(read.arch.probe!, read.probe!, 'ek100-vitl-256.pt');
 * const { verb, noun, action } = probe.apply(tokens); // tokens: encoder + predicted tokens [B, N, 1024]
 *
 * @throws CheckpointError when the probe is a single-head one (SSv2, Diving-48), or a key or shape differs.
 */
export function buildEk100Probe(arch: Vjepa2ProbeArch, weights: StateDictInput | Map<string, HostTensor>, source: string): Ek100ProbeV2 {
  const { classes } = arch;
  if (typeof classes === 'number') fail(source, 'the EK-100 probe (verb_classifier, noun_classifier, action_classifier)', verbatim(`a single-head probe of ${classes} classes`), 'Use buildVjepa2Classifier', CheckpointError);
  const probe = new Ek100ProbeV2({
    dim: arch.dim, heads: arch.heads, depth: arch.depth, mlpRatio: arch.mlpHidden / arch.dim, normEps: arch.normEps,
    verbClasses: classes.verb, nounClasses: classes.noun, actionClasses: classes.action,
  });
  try {
    probe.loadStateDict(weights, { source: `${source} (probe)` });
  } catch (error) {
    probe.dispose();
    throw error;
  }
  return probe;
}
