import { decodeFrames, probeVideo } from '@vjepa/data';
import type { Vjepa2Checkpoint } from './checkpoint';
import type { Vjepa2ClassifierWeights } from './classifier';
import type { Vjepa2VideoFrames } from './classify-video';
import type { Vjepa2Hints } from './infer';
import { readAll } from './lazy-tensor';
import { combineVjepa2, openVjepa2 } from './open';

/**
 * A {@link Vjepa2VideoFrames} over a video file (Node, ffmpeg): its frames counted once (decoded, as
 * the official loader counts them), then only the frames a segment needs decoded.
 *
 * @throws UnreadableClipError (a DataError, exit 1) when ffmpeg cannot read it.
 */
export async function videoFileFrames(path: string): Promise<Vjepa2VideoFrames> {
  const info = await probeVideo(path, { method: 'decode' });
  return {
    name: path,
    numFrames: info.frameCount,
    read: async (indices) => decodeFrames(path, indices, { info }),
  };
}

/** The files of a V-JEPA 2 classifier (Node): a classifier folder, or an encoder file and a probe file. */
export interface Vjepa2ClassifierFiles {
  /** A Hugging Face `VJEPA2ForVideoClassification` folder, or any V-JEPA 2 checkpoint with an encoder. */
  model: string;
  /** An official probe `.pt` (or a Hugging Face classifier) whose probe classifies `model`'s features. */
  probe?: string;
  /** Which encoder of an official pretraining `.pt` (default `encoder`, as torch hub and transformers). */
  encoder?: 'encoder' | 'target_encoder';
  /** What the files cannot say (heads of widths that are no released size, image size, frames). */
  hints?: Vjepa2Hints;
}

/**
 * Reads the weights of a V-JEPA 2 classifier for {@link buildVjepa2Classifier}: one classifier folder (or
 * file), or an encoder checkpoint and a probe checkpoint described together (`combineVjepa2`, so the
 * probe's protocol gives what the encoder file does not record). Tensors are widened to float32, read
 * one at a time; the files are closed before it returns.
 *
 * @throws CheckpointError (exit 1) for a bad file (truncated, another architecture, a disallowed pickle
 *   global, a missing shard, missing or unexpected keys), or widths that do not agree.
 */
export function readVjepa2Classifier(files: Vjepa2ClassifierFiles): Vjepa2ClassifierWeights {
  const hints = files.hints ?? {};
  const model = openVjepa2(files.model, { ...hints, ...(files.encoder ? { encoder: files.encoder } : {}) });
  let opened: Vjepa2Checkpoint = model;
  try {
    if (files.probe !== undefined) {
      const probe = openVjepa2(files.probe, hints);
      try {
        opened = combineVjepa2(model, probe, hints);
      } catch (error) {
        probe.close();
        throw error;
      }
    }
    const read = (state: Vjepa2Checkpoint['encoder']) => (state ? readAll(state) : null);
    return { arch: opened.arch, source: opened.source, labels: opened.arch.labels, encoder: read(opened.encoder), probe: read(opened.probe) };
  } finally {
    opened.close();
  }
}
