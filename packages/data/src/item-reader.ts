/**
 * Reading one item for a batch slot, the way the official loader does when a video is bad: try the
 * item, and if it cannot be read, try random others until one reads. Each bad item is warned about once
 * (by name) and remembered, so it is never read again; when every item is known bad, reading stops with
 * an error instead of looping.
 *
 * @packageDocumentation
 */
import { DataError, type RandomStream } from '@vjepa/core';
import type { UnreadablePolicy } from './loader-types';
import { UnreadableClipError, type Clip, type ClipSource } from './types';

/** A clip read for a slot, with the index it came from and the stream its transform draws from. */
export interface ReadClip {
  /** The clip. */
  clip: Clip;
  /** The source index actually read (a replacement when the slot's own item was bad). */
  index: number;
  /** The stream for the clip's augmentation. */
  rng: RandomStream;
}

/** Random replacement draws before scanning forward for a readable item. */
const MAX_DRAWS = 64;

/** Reads items from a source, skipping and remembering bad ones. */
export class ItemReader {
  private readonly badIndices = new Set<number>();
  /** Why each bad item was skipped, by name, in the order found. */
  readonly skipReasons = new Map<string, string>();
  /** The bad item found last, and why. */
  private lastBad?: { name: string; reason: string };

  /**
   * @param source - the source to read.
   * @param onWarning - receives one message per bad item.
   */
  constructor(
    private readonly source: ClipSource,
    private readonly onWarning: (message: string) => void,
    private readonly policy: UnreadablePolicy = 'replace',
  ) {}

  /**
   * Reads `index` for a slot whose random choices all derive from `slotRng` (the clip window from
   * `read/<index>`, replacements from `replace`, the augmentation from `transform/<index>`), so the
   * result does not depend on which bad items were already known. With the policy `'drop'`, null for a bad
   * item (no replacement); with `'fail'`, a `DataError` naming it.
   */
  async read(index: number, slotRng: RandomStream): Promise<ReadClip | null> {
    const size = this.source.size;
    if (this.policy !== 'replace') {
      const clip = this.badIndices.has(index) ? null : await this.tryRead(index, slotRng.fork(`read/${index}`));
      if (clip !== null) return { clip, index, rng: slotRng.fork(`transform/${index}`) };
      if (this.policy === 'fail') {
        const { name, reason } = this.lastBad ?? { name: `item ${index}`, reason: 'unreadable' };
        throw new DataError(`input ${JSON.stringify(name)}: expected a readable video, received ${reason}. Remove it, or leave its row out (embed --skip-unreadable)`);
      }
      return null;
    }
    const replacements = slotRng.fork('replace');
    let candidate = index;
    for (let draws = 0; ; draws++) {
      if (!this.badIndices.has(candidate)) {
        const clip = await this.tryRead(candidate, slotRng.fork(`read/${candidate}`));
        if (clip !== null) return { clip, index: candidate, rng: slotRng.fork(`transform/${candidate}`) };
      }
      if (this.badIndices.size >= size) throw this.allBadError();
      candidate = draws < MAX_DRAWS ? replacements.nextInt(0, size - 1) : (candidate + 1) % size;
    }
  }

  private async tryRead(index: number, rng: RandomStream): Promise<Clip | null> {
    try {
      const clip = await this.source.get(index, rng);
      if (clip === null) this.markBad(index, `${this.source.description ?? 'source'} item ${index}`, 'the source returned no clip');
      return clip;
    } catch (error) {
      if (!(error instanceof UnreadableClipError)) throw error;
      this.markBad(index, error.item, error.reason);
      return null;
    }
  }

  private markBad(index: number, name: string, reason: string): void {
    this.lastBad = { name, reason };
    if (this.badIndices.has(index)) return;
    this.badIndices.add(index);
    if (this.skipReasons.has(name)) return;
    this.skipReasons.set(name, reason);
    if (this.policy !== 'fail') this.onWarning(`@vjepa/data: skipping ${JSON.stringify(name)}: ${reason}`);
  }

  private allBadError(): DataError {
    const [name, reason] = this.skipReasons.entries().next().value ?? ['?', '?'];
    return new DataError(
      `source: expected at least one readable item, received ${this.source.size} unreadable of ${this.source.size} ` +
        `(first: ${JSON.stringify(name)}: ${reason}). Check the paths, the files and that ffmpeg can read them`,
    );
  }
}
