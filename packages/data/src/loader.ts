/**
 * The batch loader: reads clips from a {@link ClipSource} in a seeded shuffled order, transforms them into
 * a `[B, T, H, W, C]` float32 batch with labels, prepares the next batches while the current one is in
 * use, skips bad items (one warning each, counted in the metrics; another item is read instead, as the
 * official loader does), and saves and restores its position for resuming.
 *
 * Reproducibility: every random choice of the item in slot `p` of epoch `e` comes from a stream forked
 * from the seed with the label `item/e/p`, so batches do not depend on timing, concurrency or prefetching, and
 * a restored loader continues with exactly the batches the original would have produced.
 *
 * @packageDocumentation
 */
import { checkKeys, optionKeys, fail, RandomStream } from '@vjepa/core';
import { ItemReader } from './item-reader';
import type { LoaderBatch, ClipLoaderMetrics, ClipLoaderOptions, ClipLoaderState } from './loader-types';
import { Semaphore } from './semaphore';
import { pretrainingTransform, type ClipTransform } from './transforms';
import type { ClipSource } from './types';

interface Cursor {
  epoch: number;
  position: number;
}

/**
 * Makes batches from a {@link ClipSource}.
 *
 * @example
 * ```ts
 * const loader = new ClipLoader(syntheticSource('synthetic'), {
 *   batchSize: 8, seed: 1, transform: pretrainingTransform({ cropSize: 64 }),
 * });
 * const batch = await loader.next(); // batch.shape = [8, 16, 64, 64, 3]
 * const video = toVideoBatch(batch); // tf.Tensor5D
 * const saved = loader.getState();   // later: loader.setState(saved)
 * ```
 */
export class ClipLoader {
  /** The source read from. */
  readonly source: ClipSource;
  /** B. */
  readonly batchSize: number;
  /** Batches in one epoch. */
  readonly batchesPerEpoch: number;
  private readonly transform: ClipTransform;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly prefetch: number;
  private readonly reader: ItemReader;
  private readonly slots: Semaphore;
  private root: RandomStream;
  private consumed: Cursor = { epoch: 0, position: 0 };
  private scheduled: Cursor = { epoch: 0, position: 0 };
  private queue: { cursor: Cursor; batch: Promise<LoaderBatch> }[] = [];
  private readonly orders = new Map<number, Int32Array>();
  private counts = { batches: 0, clips: 0, waitMs: 0 };

  /**
   * @param source - where clips come from (at least one item).
   * @param options - batch size and the rest; see {@link ClipLoaderOptions}.
   * @throws VjepaError when an option is invalid or the source cannot fill one batch.
   */
  constructor(source: ClipSource, options: ClipLoaderOptions) {
    if (typeof source?.get !== 'function' || !Number.isSafeInteger(source.size) || source.size < 1) {
      fail('source', 'a ClipSource with at least one item', source?.size ?? source);
    }
    checkKeys('options', options, optionKeys<ClipLoaderOptions>({
      batchSize: true, transform: true, seed: true, shuffle: true, dropLast: true, prefetch: true, concurrency: true,
      onWarning: true, unreadable: true,
    }));
    const { batchSize, seed = 0, shuffle = true, dropLast = true, prefetch = 1, concurrency = 4, unreadable = 'replace' } = options ?? ({} as ClipLoaderOptions);
    if (!['replace', 'drop', 'fail'].includes(unreadable)) fail('unreadable', "'replace', 'drop' or 'fail'", unreadable);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) fail('batchSize', 'a positive integer', batchSize);
    if (dropLast && batchSize > source.size) {
      fail('batchSize', `at most the source size (${source.size}) when dropLast is true`, batchSize, 'Use a smaller batch or dropLast: false');
    }
    if (!Number.isSafeInteger(prefetch) || prefetch < 0) fail('prefetch', 'a non-negative integer', prefetch);
    this.source = source;
    this.batchSize = batchSize;
    this.batchesPerEpoch = dropLast ? Math.floor(source.size / batchSize) : Math.ceil(source.size / batchSize);
    this.transform = options.transform ?? pretrainingTransform();
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.prefetch = prefetch;
    this.reader = new ItemReader(source, options.onWarning ?? ((message) => console.warn(message)), unreadable);
    this.slots = new Semaphore(concurrency);
    this.root = new RandomStream(seed);
  }

  /** The next batch (moving on to the next epoch after the last one), prefetching the ones after it. */
  async next(): Promise<LoaderBatch> {
    if (this.queue.length === 0) this.schedule();
    const head = this.queue.shift() as { cursor: Cursor; batch: Promise<LoaderBatch> };
    this.consumed = this.advance(head.cursor);
    while (this.queue.length < this.prefetch) this.schedule();
    const started = performance.now();
    const batch = await head.batch;
    this.counts.waitMs += performance.now() - started;
    this.counts.batches++;
    this.counts.clips += batch.shape[0];
    return batch;
  }

  /** The remaining batches of the current epoch, in order (with `unreadable: 'drop'`, none whose every row was dropped). */
  async *iterateEpoch(): AsyncGenerator<LoaderBatch> {
    const epoch = this.consumed.epoch;
    while (this.consumed.epoch === epoch) {
      const batch = await this.next();
      if (batch.shape[0] > 0) yield batch;
    }
  }

  /** Where the loader stands: the next `next()` returns the batch at this epoch and position. */
  getState(): ClipLoaderState {
    return { epoch: this.consumed.epoch, position: this.consumed.position, rng: this.root.getState() };
  }

  /** Resumes from a {@link ClipLoaderState}; batches prepared ahead are dropped. */
  setState(state: ClipLoaderState): void {
    if (!Number.isSafeInteger(state?.epoch) || state.epoch < 0) fail('state.epoch', 'a non-negative integer', state?.epoch);
    if (!Number.isSafeInteger(state.position) || state.position < 0 || state.position >= this.source.size) {
      fail('state.position', `an integer in [0, ${this.source.size - 1}]`, state.position);
    }
    this.root = RandomStream.fromState(state.rng);
    this.orders.clear();
    this.queue = [];
    this.consumed = { epoch: state.epoch, position: state.position };
    this.scheduled = { ...this.consumed };
  }

  /** Counters since construction (skips included, whatever the state restores). */
  get metrics(): ClipLoaderMetrics {
    const reasons = this.reader.skipReasons;
    return { ...this.counts, skipped: reasons.size, skippedNames: [...reasons.keys()], skipReasons: Object.fromEntries(reasons) };
  }

  /** Drops the batches prepared ahead (reads in progress finish in the background and are discarded). */
  close(): void {
    this.queue = [];
    this.scheduled = { ...this.consumed };
  }

  private advance(cursor: Cursor): Cursor {
    const position = cursor.position + this.batchSize;
    const ended = this.dropLast ? position + this.batchSize > this.source.size : position >= this.source.size;
    return ended ? { epoch: cursor.epoch + 1, position: 0 } : { epoch: cursor.epoch, position };
  }

  private schedule(): void {
    const cursor = this.scheduled;
    const batch = this.loadBatch(cursor);
    batch.catch(() => undefined); // a prefetched failure is reported when that batch is asked for
    this.queue.push({ cursor, batch });
    this.scheduled = this.advance(cursor);
  }

  /** The item order of `epoch`: a seeded Fisher–Yates permutation, or the identity without shuffling. */
  private orderOf(epoch: number): Int32Array {
    let order = this.orders.get(epoch);
    if (order === undefined) {
      order = Int32Array.from({ length: this.source.size }, (_, index) => index);
      if (this.shuffle) {
        const rng = this.root.fork(`order/${epoch}`);
        for (let k = order.length - 1; k > 0; k--) {
          const j = rng.nextInt(0, k);
          [order[k], order[j]] = [order[j], order[k]];
        }
      }
      for (const old of this.orders.keys()) if (old < this.consumed.epoch) this.orders.delete(old);
      this.orders.set(epoch, order);
    }
    return order;
  }

  private async loadBatch(cursor: Cursor): Promise<LoaderBatch> {
    const order = this.orderOf(cursor.epoch);
    const count = Math.min(this.batchSize, this.source.size - cursor.position);
    let data: Float32Array | null = null;
    let clipShape: [number, number, number, number] | null = null;
    const names = new Array<string>(count);
    const sourceIndices = new Array<number>(count);
    const labelRows = new Array<Record<string, number>>(count);
    const kept = new Array<boolean>(count).fill(false);
    await Promise.all(
      Array.from({ length: count }, (_, row) =>
        this.slots.run(async () => {
          const slot = cursor.position + row;
          const loaded = await this.reader.read(order[slot], this.root.fork(`item/${cursor.epoch}/${slot}`));
          if (loaded === null) return; // dropped: unreadable, and `unreadable: 'drop'`
          const { clip } = loaded;
          const shape = this.transform.outputShape(clip.numFrames, clip.height, clip.width);
          if (clipShape === null) {
            clipShape = shape;
            data = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
          } else if (shape.some((size, axis) => size !== (clipShape as number[])[axis])) {
            fail(`clip ${clip.name}`, `the batch's clip shape [${clipShape.join(', ')}] after the transform`, shape, 'Give every clip the same frame count and size (decodeSize, cropSize)');
          }
          const per = shape.reduce((a, b) => a * b, 1);
          const record = this.transform.apply(clip, loaded.rng, data as Float32Array, row * per);
          const mirrored = record.flipped && this.source.mirrorLabels !== undefined;
          labelRows[row] = mirrored ? this.source.mirrorLabels!(clip.labels) : clip.labels;
          names[row] = clip.name;
          sourceIndices[row] = loaded.index;
          kept[row] = true;
        }),
      ),
    );
    const batch = { epoch: cursor.epoch, step: Math.floor(cursor.position / this.batchSize) };
    if (clipShape === null) return { ...batch, data: new Float32Array(0), shape: [0, 0, 0, 0, 0], labels: {}, names: [], sourceIndices: [] };
    const shape = clipShape as [number, number, number, number];
    const rows = kept.flatMap((isKept, row) => (isKept ? [row] : []));
    let values = data as unknown as Float32Array;
    if (rows.length < count) {
      const per = shape.reduce((a, b) => a * b, 1);
      const packed = new Float32Array(rows.length * per);
      rows.forEach((row, k) => packed.set(values.subarray(row * per, (row + 1) * per), k * per));
      values = packed;
    }
    return {
      ...batch,
      data: values,
      shape: [rows.length, ...shape],
      labels: collectLabels(rows.map((row) => labelRows[row])),
      names: rows.map((row) => names[row]),
      sourceIndices: rows.map((row) => sourceIndices[row]),
    };
  }
}

/** Per-label-name columns over the rows, −1 where a row lacks a label. */
function collectLabels(rows: readonly Record<string, number>[]): Record<string, Int32Array> {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))].sort();
  return Object.fromEntries(names.map((name) => [name, Int32Array.from(rows, (row) => (name in row ? row[name] : -1))]));
}
