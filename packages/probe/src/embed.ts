import { checkKeys, checkOutputPath, optionKeys, writeSafetensors } from '@vjepa/core';
import { checkInteger } from './checks';
import { encodeClipBatches, type ClipBatch } from './clip-features';
import type { FeatureEncoder } from './features';

/** Options of {@link embedClips}. */
export interface EmbedClipsOptions {
  /** Embed at most this many clips (default: every clip of the stream). */
  limit?: number;
  /** Mean-pool the tokens: `[M, D]` instead of `[M, N, D]`. */
  pool?: boolean;
  /** More `__metadata__` entries of the file, after `names` (e.g. which encoder of a checkpoint). */
  metadata?: Record<string, string>;
  /**
   * The inputs left out of the stream (unreadable), asked for once it is read: saved as a JSON list in the
   * metadata `skipped` when there are any, so that the file says which inputs have no row.
   */
  skipped?: () => readonly string[];
}

const EMBED_KEYS = optionKeys<EmbedClipsOptions>({ limit: true, pool: true, metadata: true, skipped: true });

/**
 * Encodes a stream of clip batches with a frozen encoder and writes a safetensors file: one F32 tensor
 * `features` `[M, N, D]` (or `[M, D]` pooled), and the clip names as a JSON list in the metadata `names`.
 *
 * @example
 * const loader = new ClipLoader(source, { batchSize: 8, transform: evalTransform({ cropSize: 224 }), shuffle: false, dropLast: false });
 * await embedClips('features.safetensors', encoder, loader.iterateEpoch(), { pool: true }); // features [M, D]
 */
export async function embedClips(
  file: string,
  encoder: FeatureEncoder,
  batches: AsyncIterable<ClipBatch>,
  options: EmbedClipsOptions = {},
): Promise<{ count: number; shape: number[] }> {
  checkKeys('options', options, EMBED_KEYS);
  if (options.limit !== undefined) checkInteger('limit', options.limit, 1);
  checkOutputPath('file', file, 'file'); // before the encoding, not at the write after it
  const names: string[] = [];
  const { values, shape } = await encodeClipBatches(encoder, batches, {
    limit: options.limit,
    pool: options.pool,
    onBatch: (batch, take) => names.push(...batch.names.slice(0, take)),
  });
  const skipped = options.skipped?.() ?? [];
  const metadata = { names: JSON.stringify(names), ...(skipped.length > 0 ? { skipped: JSON.stringify(skipped) } : {}), ...options.metadata };
  await writeSafetensors(file, { features: { dtype: 'F32', shape, data: values } }, metadata);
  return { count: shape[0], shape };
}
