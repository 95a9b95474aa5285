import { MaskCollator, maskStatistics, type MaskStatistics } from '@vjepa/masking';
import { CROP, FRAMES, GENERATORS, PATCH, TUBELET } from './settings';

/** One generator's masks for the clip, as the page draws them. */
export interface GeneratorMasks {
  name: string;
  stats: MaskStatistics;
  /** Per token: 1 context (the encoder sees it), 2 target (to predict), 0 neither. */
  roles: Uint8Array;
  /** Per tubelet step: the share of its tokens that are targets. */
  targetShareByStep: number[];
}

/** Runs the collator with every generator of {@link GENERATORS} on a batch of one clip. */
export function sampleMasks(seed: number): GeneratorMasks[] {
  const collator = new MaskCollator({
    seed,
    generators: GENERATORS.map((g) => g.config),
    grid: { frames: FRAMES, crop: CROP, patch: PATCH, tubelet: TUBELET },
  });
  const steps = FRAMES / TUBELET;
  const perStep = (CROP / PATCH) ** 2;
  return collator.sample(1).map((masks, g) => {
    const roles = new Uint8Array(steps * perStep);
    for (const index of masks.context.data) roles[index] = 1;
    for (const index of masks.target.data) roles[index] = 2;
    const targetShareByStep = Array.from({ length: steps }, (_, t) => {
      let count = 0;
      for (let i = t * perStep; i < (t + 1) * perStep; i++) count += roles[i] === 2 ? 1 : 0;
      return count / perStep;
    });
    return { name: GENERATORS[g].name, stats: maskStatistics(masks), roles, targetShareByStep };
  });
}

/** A fraction as the page prints it: one decimal of a percent. */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)} %`;
}
