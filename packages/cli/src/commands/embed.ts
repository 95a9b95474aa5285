import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkOutputPath, fail, selectBackend, type BackendRequest } from '@vjepa/core';
import { ClipLoader, evalTransform, openClipSource, videoFileSource } from '@vjepa/data';
import { embedClips, type FeatureEncoder } from '@vjepa/probe';
import { featureSourceConfig, isVjepa2Checkpoint, loadEncoder, openVjepa2Encoder, type InferOverrides } from '@vjepa/official';
import { backendOption, encoderOption, headsOption, integer, option } from '../options';

/** Options of `vjepa embed`. */
export interface EmbedCommandOptions {
  /** Video files, or one dataset spec (`synthetic:NAME`, a CSV, a folder). */
  inputs: string[];
  /** A `vjepa train` output folder or checkpoint directory, or an official pretraining `.pth.tar`. */
  checkpoint: string;
  /** With a `.pth*` checkpoint: what its tensors cannot say (heads of a custom width, frames). */
  inferred?: InferOverrides;
  /** With a V-JEPA 2 file: the clip side and frames (default: the file's config or its probe's protocol, else 256 px, 16 frames). */
  resolution?: number;
  frames?: number;
  /** Which encoder of the checkpoint (default `target`, as the official evaluation). */
  encoder?: 'target' | 'online';
  out: string;
  /** Embed at most this many clips (default: all). */
  limit?: number;
  /** Mean-pool the tokens: `[M, D]` instead of `[M, N, D]`. */
  pool?: boolean;
  batchSize?: number;
  /** Leave the rows of unreadable inputs out (each warned about, their names in `skipped`) instead of refusing the run. */
  skipUnreadable?: boolean;
  backend?: BackendRequest;
  log?: (line: string) => void;
  /** Where warnings go (default `console.error`). */
  warn?: (line: string) => void;
}

/**
 * `vjepa embed`: encodes videos with a trained encoder (`embedClips` of `@vjepa/probe`) into a safetensors
 * file, `features` `[M, N, D]` (or `[M, D]` pooled) and the clip names. Clips are taken with the
 * deterministic single-view test transform (resize, centre crop) at the checkpoint's clip size. A V-JEPA 2
 * `.pt` or Hugging Face folder gives its RoPE encoder (`openVjepa2Encoder` of `@vjepa/official`).
 */
export async function runEmbedCommand(options: EmbedCommandOptions): Promise<{ count: number; shape: number[]; skipped: string[] }> {
  const log = options.log ?? console.log;
  const warn = options.warn ?? ((line: string) => console.error(line));
  const which = options.encoder ?? 'target';
  checkOutputPath('--out', options.out, 'file');
  if (options.checkpoint === 'random' || options.checkpoint === 'pixels') {
    fail('--checkpoint', 'a vjepa train output folder, a checkpoint directory or a .pth.tar file', options.checkpoint);
  }
  if (isVjepa2Checkpoint(options.checkpoint)) return embedVjepa2(options, which, log, warn);
  if (options.resolution !== undefined || options.frames !== undefined) {
    fail(options.resolution !== undefined ? '--resolution' : '--frames', 'no value with a V-JEPA 1 checkpoint (its run configuration has the clip size)', options.resolution ?? options.frames);
  }
  const config = featureSourceConfig(options.checkpoint, { which, inferred: options.inferred });
  await selectBackend(options.backend ?? 'auto');
  const { data } = config;
  const { loader, count } = await embedLoader(options, { crop: data.crop, frames: data.frames, frameStep: data.frameStep, seed: config.seed + 1 }, warn);
  const encoder = loadEncoder(config, options.checkpoint, which);
  try {
    const key = which === 'target' ? 'target_encoder' : 'encoder';
    return await writeEmbeddings(loader, count, options, encoder, key, log);
  } finally {
    loader.close();
    encoder.dispose();
  }
}

/** The clips of `vjepa embed`'s inputs at the encoder's clip size, in order, with the single-view test transform. */
async function embedLoader(options: EmbedCommandOptions, clip: { crop: number; frames: number; frameStep: number; seed: number }, warn: (line: string) => void): Promise<{ loader: ClipLoader; count: number }> {
  const single = options.inputs.length === 1 ? options.inputs[0] : undefined;
  const isSpec = single !== undefined && (single.startsWith('synthetic') || !/\.(mp4|avi|mkv|webm|mov)$/i.test(single));
  const source = isSpec
    ? await openClipSource(single, { synthetic: { seed: clip.seed, numFrames: clip.frames }, framesPerClip: clip.frames, frameStep: clip.frameStep })
    : videoFileSource(options.inputs.map((path) => ({ path })), { framesPerClip: clip.frames, frameStep: clip.frameStep });
  const count = Math.min(source.size, options.limit ?? source.size);
  const batchSize = Math.min(options.batchSize ?? 8, count);
  // Row i must be the clip its name says: an unreadable input is refused, or its row left out (never replaced).
  const unreadable = options.skipUnreadable ? 'drop' : 'fail';
  return { count, loader: new ClipLoader(source, { batchSize, transform: evalTransform({ cropSize: clip.crop }), seed: 0, shuffle: false, dropLast: false, unreadable, onWarning: warn }) };
}

/** `vjepa embed` with the encoder of a V-JEPA 2 `.pt` or Hugging Face folder (RoPE, `VisionTransformerV2`). */
async function embedVjepa2(options: EmbedCommandOptions, which: 'target' | 'online', log: (line: string) => void, warn: (line: string) => void) {
  const hints = { heads: options.inferred?.heads, imageSize: options.resolution, frames: options.frames };
  const defined = Object.fromEntries(Object.entries(hints).filter(([, v]) => v !== undefined));
  await selectBackend(options.backend ?? 'auto');
  const source = openVjepa2Encoder(options.checkpoint, which, defined);
  try {
    const { loader, count } = await embedLoader(options, { crop: source.crop, frames: source.frames, frameStep: 4, seed: 1 }, warn);
    try {
      return await writeEmbeddings(loader, count, options, source.encoder, source.key, log);
    } finally {
      loader.close();
    }
  } finally {
    source.dispose();
  }
}

/** Encodes the loader's clips into `--out` and says what was written. */
async function writeEmbeddings(loader: ClipLoader, count: number, options: EmbedCommandOptions, encoder: FeatureEncoder, key: string, log: (line: string) => void) {
  const batches = loader.iterateEpoch();
  const written = await embedClips(options.out, encoder, batches, { limit: count, pool: options.pool, metadata: { encoder: key }, skipped: () => loader.metrics.skippedNames });
  const skipped = loader.metrics.skippedNames;
  const left = skipped.length > 0 ? ` (${skipped.length} unreadable input(s) left out: ${skipped.join(', ')})` : '';
  log(`wrote features [${written.shape}] of ${written.count} clips to ${resolve(options.out)}${left}`);
  return { ...written, skipped };
}

/** `vjepa embed`: encode videos with a trained encoder into a safetensors file. */
export function register(program: Command): void {
  program
    .command('embed')
    .description('encode videos with a trained encoder and write their features to a safetensors file')
    .argument('<inputs...>', "video files, or one dataset spec ('synthetic:NAME', a CSV index, a folder)")
    .requiredOption('--checkpoint <dir>', 'a vjepa train output folder or checkpoint directory, an official pretraining .pth.tar, or a V-JEPA 2 .pt or Hugging Face folder')
    .addOption(headsOption())
    .addOption(option('--resolution <px>', "with a V-JEPA 2 file: the clip side (default: its config or its probe's protocol, else 256)", integer(1)))
    .addOption(option('--frames <n>', "with a V-JEPA 2 file: frames per clip (default: its config or its probe's protocol, else 16)", integer(1)))
    .addOption(encoderOption())
    .option('--out <file>', 'output safetensors file', 'features.safetensors')
    .addOption(option('--limit <n>', 'embed at most n clips', integer(1)))
    .option('--pool', 'mean-pool tokens: [M, D] instead of [M, N, D]')
    .option('--skip-unreadable', 'leave the row of an unreadable input out (warned, named in the metadata "skipped") instead of refusing the run')
    .addOption(backendOption())
    .action(async (inputs: string[], o: Omit<EmbedCommandOptions, 'inputs' | 'inferred'> & { heads?: number }) => {
      const { heads, ...rest } = o;
      await runEmbedCommand({ ...rest, inputs, inferred: { heads } });
    });
}
