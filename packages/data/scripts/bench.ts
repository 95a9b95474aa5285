/**
 * Prints throughput figures of @vjepa/data on this machine (a script, not a test):
 *   node --conditions=@vjepa/source --import tsx packages/data/scripts/bench.ts
 * It writes a 12 s 320×240 H.264 test video under the system temp folder and removes it afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RandomStream } from '@vjepa/core';
import {
  ClipLoader,
  SYNTHETIC_VARIANTS,
  pretrainingTransform,
  renderSyntheticItem,
  resolveFfmpeg,
  syntheticSource,
  syntheticVariant,
  videoFileSource,
  writeVideo,
} from '../src/index';

const folder = mkdtempSync(path.join(os.tmpdir(), 'vjepa-data-bench-'));
const time = async (runs: number, task: (run: number) => unknown) => {
  await task(-1);
  const started = performance.now();
  for (let run = 0; run < runs; run++) await task(run);
  return (performance.now() - started) / runs;
};

try {
  const [T, H, W] = [300, 240, 320];
  const frames = new Uint8Array(T * H * W * 3);
  for (let t = 0; t < T; t++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = ((t * H + y) * W + x) * 3; // a moving pattern that compresses like ordinary footage
        [frames[o], frames[o + 1], frames[o + 2]] = [(x + 2 * t) & 255, (y + t) & 255, ((x ^ y) + 3 * t) & 255];
      }
    }
  }
  const video = path.join(folder, 'bench.mp4');
  await writeVideo(video, frames, T, H, W, { codec: 'h264' });
  for (const choice of ['system', 'npm'] as const) {
    let ffmpeg;
    try {
      ffmpeg = resolveFfmpeg(choice);
    } catch {
      console.log(`${choice} ffmpeg: not found`);
      continue;
    }
    for (const decodeSize of [undefined, { shorterSide: 128 }]) {
      const source = videoFileSource([{ path: video }], { ffmpeg: { path: ffmpeg.path }, decodeSize });
      const ms = await time(10, (run) => source.get(0, new RandomStream(run)));
      console.log(`decode 16 of 300 frames (320×240 H.264), ${choice} ffmpeg, ${decodeSize ? 'scaled to 128 px' : 'native size'}: ${ms.toFixed(1)} ms/clip`);
    }
  }
  for (const name of Object.keys(SYNTHETIC_VARIANTS)) {
    const variant = syntheticVariant(name);
    const ms = await time(50, (run) => renderSyntheticItem(variant, 0, run + 1));
    console.log(`synthetic:${name} (${variant.numFrames}×${variant.height}×${variant.width}): ${ms.toFixed(2)} ms/clip`);
  }
  const clip = await syntheticSource().get(0, new RandomStream(0));
  if (clip === null) throw new Error('no clip');
  const out = new Float32Array(16 * 224 * 224 * 3);
  const transform = pretrainingTransform({ cropSize: 224 });
  console.log(`pretrainingTransform 16×64×64 → 16×224×224: ${(await time(20, (run) => transform.apply(clip, new RandomStream(run), out, 0))).toFixed(1)} ms/clip`);
  const loader = new ClipLoader(syntheticSource(), { batchSize: 8, transform: pretrainingTransform({ cropSize: 64 }) });
  console.log(`ClipLoader synthetic, B = 8, crop 64: ${(await time(20, () => loader.next())).toFixed(1)} ms/batch`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
