// Prints the masks V-JEPA pretraining would use for one batch of 2 clips (16 frames, 224 px):
// the official short-range (8 × 15 %) and long-range (2 × 70 %) generators.
import { MaskCollator } from '@vjepa/masking';
import { renderMaskBatch } from './render';

const collator = new MaskCollator({ seed: 0, grid: { frames: 16, crop: 224, patch: 16, tubelet: 2 } });
const masks = collator.sample(2);
console.log(renderMaskBatch({ grid: collator.grid, generators: collator.generators, masks }));
