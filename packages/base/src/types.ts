/**
 * The index types every package shares without tfjs: a batch of token indices, the context/target pair
 * of one mask generator, and the token grid they index into. `@vjepa/masking` produces them, `@vjepa/core`
 * gathers tokens with them, the trainer passes them on.
 *
 * @packageDocumentation
 */

/**
 * Token indices of one mask for a whole batch, row-major `[B, K]`: row `b` holds the `K` indices
 * (into 0…N−1, token order time-major, then row, then column: spec §1) kept for sample `b`, sorted ascending.
 */
export interface IndexBatch {
  /** `B·K` indices, row `b` at `data[b·K … b·K + K − 1]`. */
  data: Int32Array;
  /** `[B, K]`. */
  shape: [number, number];
}

/** The two masks one generator gives a batch: what the encoder sees and what the predictor predicts. */
export interface MaskPair {
  /** Context indices (`masks_enc`): tokens the context encoder keeps, `[B, K_enc]`. */
  context: IndexBatch;
  /** Target indices (`masks_pred`): tokens the predictor must predict, `[B, K_pred]`. */
  target: IndexBatch;
}

/** The token grid of a clip, T' × H' × W' tokens. */
export interface TokenGrid {
  /** T' = frames / tubelet, the number of tubelet steps (the official code calls it `duration`). */
  depth: number;
  /** H' = crop (or height) / patch, the number of patch rows. */
  height: number;
  /** W' = crop (or width) / patch, the number of patch columns. */
  width: number;
}
