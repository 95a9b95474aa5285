// Times this project's V-JEPA 2 encoder (`VisionTransformerV2`, RoPE) on one clip: ViT-L/16 by default,
// 16 × 256 × 256 (2,048 tokens), batch 1, random weights (the pretraining init, seed 0). Prints one JSON line
// {"impl":"vjepa-ts","model","tokens","backend","accelerator","median_ms","min_ms","runs","peak_rss_mb"}.
// It measures; run it on a quiet machine (bench/vjepa2.sh runs it beside the official code):
//   node --conditions=@vjepa/source --import tsx bench/vjepa2-encoder.ts [--size vitl] [--frames 16]
//        [--resolution 256] [--runs 5] [--warmup 1] [--backend wasm] [--accelerator auto]
//   --tiny: a 2-block, 64-wide encoder at 32 px (a smoke run of the script, not a measurement)
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { selectBackend, type AcceleratorRequest, type BackendRequest } from '../packages/core/src/index';
import { VisionTransformerV2, vitV2Config, type VitV2Preset } from '../packages/vit/src/index';

// bench/ has no node_modules: tfjs-core is the copy @vjepa/core itself loads (one engine).
const tfPath = createRequire(new URL('../packages/core/package.json', import.meta.url)).resolve('@tensorflow/tfjs-core');
const tf = (await import(pathToFileURL(tfPath).href)) as typeof import('@tensorflow/tfjs-core');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}
const tiny = process.argv.includes('--tiny');
const size = flag('size', 'vitl') as VitV2Preset;
const frames = Number(flag('frames', tiny ? '4' : '16'));
const resolution = Number(flag('resolution', tiny ? '32' : '256'));
const [runs, warmup] = [Number(flag('runs', tiny ? '2' : '5')), Number(flag('warmup', '1'))];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const choice = await selectBackend(flag('backend', 'wasm') as BackendRequest, { accelerator: flag('accelerator', 'auto') as AcceleratorRequest });
const config = tiny ? { dim: 64, depth: 2, heads: 4, frames, imageSize: resolution } : vitV2Config(size, { frames, imageSize: resolution });
const encoder = new VisionTransformerV2(config, { seed: 0, init: 'pretraining' });
const clip = tf.randomNormal([1, frames, resolution, resolution, 3], 0, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor5D; // [1, T, H, W, C]
const forward = async () => {
  const start = performance.now();
  const out = encoder.apply(clip); // [1, N, D]
  await out.data();
  out.dispose();
  return performance.now() - start;
};
for (let i = 0; i < warmup; i++) await forward();
const times: number[] = [];
for (let i = 0; i < runs; i++) times.push(await forward());
const tokens = (frames / 2) * (resolution / 16) ** 2;
console.log(JSON.stringify({
  impl: 'vjepa-ts',
  model: tiny ? 'tiny' : size,
  tokens,
  frames,
  resolution,
  backend: choice.backend,
  accelerator: choice.accelerator.name,
  median_ms: Math.round(median(times)),
  min_ms: Math.round(Math.min(...times)),
  runs,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
}));
encoder.dispose();
clip.dispose();
