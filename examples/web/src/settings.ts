import { LONG_RANGE_MASK, SHORT_RANGE_MASK, type MaskGeneratorConfig } from '@vjepa/masking';

/** Frames per clip and the step between them: the official pretraining sampler (16 × 4). */
export const FRAMES = 16;
export const FRAME_STEP = 4;
/** The official crop, patch and tubelet: 8 × 14 × 14 = 1568 tokens. */
export const CROP = 224;
export const PATCH = 16;
export const TUBELET = 2;
/** The seed of the random encoder weights (the user's seed moves the clip window and the masks). */
export const WEIGHT_SEED = 0;
/** Decoded frames kept at most (about 10 s at 30 fps), and the shorter side frames are scaled down to. */
export const MAX_DECODED_FRAMES = 300;
export const MAX_DECODE_SIDE = 360;

/** The generators shown: the two of the released pretraining configs, and random tubes. */
export const GENERATORS: readonly { name: string; config: MaskGeneratorConfig }[] = [
  { name: 'short-range multiblock (8 × 15 %)', config: SHORT_RANGE_MASK },
  { name: 'long-range multiblock (2 × 70 %)', config: LONG_RANGE_MASK },
  { name: 'random tubes (90 %)', config: { type: 'tube', ratio: 0.9 } },
];
