import type { Command } from 'commander';
import { fail, selectBackend, type BackendRequest } from '@vjepa/core';
import {
  buildVjepa2Classifier,
  classifyProtocol,
  classifyVjepa2Video,
  readVjepa2Classifier,
  videoFileFrames,
  type Vjepa2Classification,
  type Vjepa2Classifier,
  type Vjepa2ClassifyProtocol,
} from '@vjepa/official';
import { backendOption, integer, option } from '../options';

/** Options of `vjepa classify`. */
export interface ClassifyCommandOptions {
  videos: string[];
  /** A Hugging Face `VJEPA2ForVideoClassification` folder. */
  model?: string;
  /** An official V-JEPA 2 pretraining `.pt` (or a Hugging Face `VJEPA2Model` folder), with `probeCheckpoint`. */
  checkpoint?: string;
  probeCheckpoint?: string;
  /** Use `target_encoder` of an official pretraining `.pt` (default `encoder`). */
  targetEncoder?: boolean;
  topK?: number;
  json?: boolean;
  /** Transformers' differences: pooler heads = encoder heads, eps 1e-6, one clip, one view. */
  hfMode?: boolean;
  resolution?: number;
  frames?: number;
  frameStep?: number;
  segments?: number;
  views?: number;
  /** For files of widths that are no released size. */
  heads?: number;
  predictorHeads?: number;
  probeHeads?: number;
  backend?: BackendRequest;
  log?: (line: string) => void;
  progress?: (line: string) => void;
}

const percent = (p: number) => `${(100 * p).toFixed(2).padStart(6)} %`;

/** The table of one video: its name and protocol, then `rank  probability  label` lines. */
export function formatClassification(video: string, result: Vjepa2Classification, protocol: Vjepa2ClassifyProtocol): string {
  const { resolution, frames, frameStep, segments, views } = protocol;
  const head = `${video}: ${segments} segment(s) × ${views} view(s) of ${frames}×${frameStep} frames at ${resolution} px, ${(result.timings.frames + result.timings.model).toFixed(0)} ms`;
  return [head, ...result.top.map((p, rank) => `  ${String(rank + 1).padStart(2)}  ${percent(p.probability)}  ${p.label}`)].join('\n');
}

/**
 * `vjepa classify`: the top-k classes of each video with a V-JEPA 2 classifier, following its probe's
 * protocol (`classifyVjepa2Video` of `@vjepa/official`); a progress line per clip on stderr.
 */
export async function runClassifyCommand(options: ClassifyCommandOptions): Promise<Vjepa2Classification[]> {
  const log = options.log ?? console.log;
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  if ((options.model === undefined) === (options.checkpoint === undefined)) {
    fail('--model / --checkpoint', 'one of them: a Hugging Face classifier folder, or an official .pt with --probe-checkpoint', options.model === undefined ? 'neither' : 'both');
  }
  if (options.model !== undefined && options.probeCheckpoint !== undefined) fail('--probe-checkpoint', 'no value with --model (a classifier folder has its probe); use --checkpoint', options.probeCheckpoint);
  if (options.videos.length === 0) fail('VIDEO', 'at least one video file', 'none');
  const classifier = await openClassifier(options);
  const results: Vjepa2Classification[] = [];
  try {
    for (const video of options.videos) {
      const frameSource = await videoFileFrames(video);
      const result = await classifyVjepa2Video(classifier, frameSource, {
        topK: options.topK ?? 5,
        onClip: (p) => progress(`${video}: clip ${p.index}/${p.total} (segment ${p.segment + 1}, view ${p.view + 1}) ${p.ms.toFixed(0)} ms`),
      });
      results.push(result);
      log(options.json
        ? JSON.stringify({ video, top: result.top, protocol: classifier.protocol, mode: classifier.mode, segments: result.segments, ms: result.timings })
        : formatClassification(video, result, classifier.protocol));
    }
    return results;
  } finally {
    classifier.dispose();
  }
}

/**
 * Reads the files and builds the classifier; the float32 host copy of the weights is dropped on return
 * (the models hold their own), so it does not stay alive beside them while videos are classified.
 */
async function openClassifier(options: ClassifyCommandOptions): Promise<Vjepa2Classifier> {
  const hints = { heads: options.heads, predictorHeads: options.predictorHeads, probeHeads: options.probeHeads, imageSize: options.resolution, frames: options.frames };
  const defined = Object.fromEntries(Object.entries(hints).filter(([, v]) => v !== undefined));
  const weights = readVjepa2Classifier({
    model: (options.model ?? options.checkpoint)!,
    probe: options.probeCheckpoint,
    encoder: options.targetEncoder ? 'target_encoder' : undefined,
    hints: defined,
  });
  const { resolution, frames, frameStep, segments, views } = options;
  const settings = { mode: options.hfMode ? ('hf' as const) : ('official' as const), resolution, frames, frameStep, segments, views };
  classifyProtocol(weights.arch, settings); // a bad override is refused before the backend starts
  await selectBackend(options.backend ?? 'auto');
  return buildVjepa2Classifier(weights, settings);
}

/** `vjepa classify`: top-k labels of videos with a V-JEPA 2 classifier. */
export function register(program: Command): void {
  program
    .command('classify')
    .description('classify videos with a V-JEPA 2 classifier (a Hugging Face VJEPA2ForVideoClassification folder, or an official .pt with its probe .pt), following the probe\'s eval protocol')
    .argument('<videos...>', 'video files')
    .option('--model <dir>', 'a Hugging Face VJEPA2ForVideoClassification folder (config.json + model.safetensors or shards)')
    .option('--checkpoint <file>', 'an official V-JEPA 2 pretraining .pt (or a Hugging Face VJEPA2Model folder), with --probe-checkpoint')
    .option('--probe-checkpoint <file>', 'an official V-JEPA 2 attentive-probe .pt (classifiers[0])')
    .option('--target-encoder', "with an official pretraining .pt: its 'target_encoder' (what the official eval configs read) instead of 'encoder'")
    .addOption(option('--top-k <n>', 'classes per video', integer(1), 5))
    .option('--json', 'one JSON line per video: {video, top: [{index, label, probability}], protocol, mode, segments, ms}')
    .option('--hf-mode', "transformers' VJEPA2ForVideoClassification instead of the official probe: pooler heads = encoder heads, LayerNorm eps 1e-6, one clip, one view")
    .addOption(option('--resolution <px>', "crop side (default: the probe's protocol, else the model's size)", integer(1)))
    .addOption(option('--frames <n>', "frames per clip (default: the probe's protocol)", integer(1)))
    .addOption(option('--frame-step <n>', "step between frames (default: the probe's protocol, else 4)", integer(1)))
    .addOption(option('--segments <n>', "temporal segments (default: the probe's protocol, else 1)", integer(1)))
    .addOption(option('--views <n>', "spatial views (default: the probe's protocol, else 1)", integer(1)))
    .addOption(option('--heads <n>', 'encoder heads, for a width that is no released size', integer(1)))
    .addOption(option('--predictor-heads <n>', 'predictor heads, for a width that is no released size', integer(1)))
    .addOption(option('--probe-heads <n>', 'probe heads, where the official 16 does not divide the width', integer(1)))
    .addOption(backendOption())
    .action(async (videos: string[], o: Omit<ClassifyCommandOptions, 'videos'>) => {
      await runClassifyCommand({ ...o, videos });
    });
}
