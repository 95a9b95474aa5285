/**
 * The data types of the {@link ClipLoader}: its options, its batches, its resumable state and its metrics.
 *
 * @packageDocumentation
 */
import type { RandomState } from '@vjepa/core';
import type { ClipTransform } from './transforms';

/** One batch: channels-last clips and their labels. */
export interface LoaderBatch {
  /** `B·T·H·W·C` float32 values, row-major `[B, T, H, W, C]`. */
  data: Float32Array;
  /** `[B, T, H, W, C]`. */
  shape: [number, number, number, number, number];
  /** Per label name, one value per clip (−1 where a clip lacks that label), after any flip. */
  labels: Record<string, Int32Array>;
  /** The name of each clip (file path or synthetic item). */
  names: string[];
  /** The source index each clip was read from (differs from the shuffled index when a bad item was replaced). */
  sourceIndices: number[];
  /** Epoch this batch belongs to (0-based). */
  epoch: number;
  /** Batch number within the epoch (0-based). */
  step: number;
}

/** Options of {@link ClipLoader}. */
export interface ClipLoaderOptions {
  /** Clips per batch, B. */
  batchSize: number;
  /** Per-clip transform; default `pretrainingTransform()` (official augmentation, 224 px). */
  transform?: ClipTransform;
  /** Seed of the shuffle, the clip windows and the augmentations; default 0. */
  seed?: number;
  /** Shuffle every epoch; default true. */
  shuffle?: boolean;
  /** Drop the last incomplete batch of an epoch (official: true); default true. */
  dropLast?: boolean;
  /** Batches prepared ahead of the one being consumed; default 1. */
  prefetch?: number;
  /** Clips read at once across all batches in flight (ffmpeg processes); default 4. */
  concurrency?: number;
  /** Receives one message per bad item; default `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * What an unreadable item becomes: `'replace'` (default, as the official loader does: a random other
   * item is read in its slot, warned about once), `'drop'` (its row is left out of the batch, warned about
   * once: every row is then the clip its name says, as `embed` needs) or `'fail'` (a `DataError` naming it).
   */
  unreadable?: UnreadablePolicy;
}

/** What {@link ClipLoaderOptions.unreadable} does with an item that cannot be read. */
export type UnreadablePolicy = 'replace' | 'drop' | 'fail';

/** Where a loader stands, as plain JSON for a checkpoint. */
export interface ClipLoaderState {
  /** The epoch the next batch belongs to. */
  epoch: number;
  /** Slot of the next batch's first clip within the epoch's order. */
  position: number;
  /** The root random stream (the seed, in effect). */
  rng: RandomState;
}

/** Counters of a loader since it was made. */
export interface ClipLoaderMetrics {
  /** Batches returned. */
  batches: number;
  /** Clips in the batches returned. */
  clips: number;
  /** Distinct bad items skipped. */
  skipped: number;
  /** Their names, in the order they were found. */
  skippedNames: string[];
  /** Why each was skipped, by name. */
  skipReasons: Record<string, string>;
  /** Milliseconds `next()` spent waiting for data in all (0 when prefetching keeps up). */
  waitMs: number;
}
