import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeVideo } from './encode';
import { renderVoePair } from './synthetic-voe';
import { decodeVoePair, parseVoePairCsv, readVoePairCsv } from './voe-files';

describe('pair lists of the user’s videos', () => {
  it('parses possible,impossible rows relative to the list, with or without a header', () => {
    expect(parseVoePairCsv('possible,impossible\na.mp4, b.mp4\n\nsub/c.mkv,/abs/d.mkv\n', '/data')).toEqual([
      { possible: '/data/a.mp4', impossible: '/data/b.mp4' },
      { possible: '/data/sub/c.mkv', impossible: '/abs/d.mkv' },
    ]);
    expect(() => parseVoePairCsv('a.mp4\n', '/data', 'list.csv')).toThrow(/list.csv line 1.*<possible video>,<impossible video>/);
    expect(() => parseVoePairCsv('\n', '/data', 'list.csv')).toThrow(/at least one/);
    expect(() => readVoePairCsv('/nonexistent/pairs.csv')).toThrow(/--pairs/);
  });

  it('decodes both videos of a row from their first frame, every frameStep-th', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-voe-'));
    const pair = renderVoePair('synthetic:voe-teleport', 0, { numFrames: 8, height: 32, width: 32 });
    await writeVideo(join(dir, 'possible.mkv'), pair.possible.frames, 8, 32, 32, { codec: 'ffv1' });
    await writeVideo(join(dir, 'impossible.mkv'), pair.impossible.frames, 8, 32, 32, { codec: 'ffv1' });
    writeFileSync(join(dir, 'pairs.csv'), 'possible.mkv,impossible.mkv\n');
    const [row] = readVoePairCsv(join(dir, 'pairs.csv'));
    const clips = await decodeVoePair(row, { numFrames: 4, frameStep: 2 });
    const size = 32 * 32 * 3;
    expect(clips.impossible.frameIndices).toEqual([0, 2, 4, 6]);
    for (let t = 0; t < 4; t++) {
      // ffv1 is lossless: frame t of the clip is frame 2t of the video
      expect(Buffer.from(clips.possible.frames.subarray(t * size, (t + 1) * size)).equals(Buffer.from(pair.possible.frames.subarray(2 * t * size, (2 * t + 1) * size)))).toBe(true);
      expect(Buffer.from(clips.impossible.frames.subarray(t * size, (t + 1) * size)).equals(Buffer.from(pair.impossible.frames.subarray(2 * t * size, (2 * t + 1) * size)))).toBe(true);
    }
  });
});
