// Times the V-JEPA 2 encoder forward of this project (random weights of the real sizes) on one clip, batch 1,
// and prints one JSON line: median ms per clip, GFLOP/s (the matmuls and attention counted as in
// bench/vjepa2_encoder.py), peak RSS, the backend and the native kernels. Run it beside the official code's
// `bench/vjepa2_encoder.py` on a quiet machine (see bench/README.md):
//   pnpm --filter @vjepa/example-vjepa2-random encoder -- --size vitl --frames 16 --px 256 --runs 3 [--threads N]
// --threads sizes the native kernels' pool (default: VJEPA_THREADS, else the CPUs this process may use).
// --profile prints, after the timing line, one more: each kernel's total milliseconds over one more clip.
import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, gemmKernel, selectBackend } from '@vjepa/core';
import { VisionTransformerV2, vitV2Config, type VitV2Preset } from '@vjepa/vit';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const size = flag('size', 'vitl') as VitV2Preset;
const frames = Number(flag('frames', '16'));
const px = Number(flag('px', '256'));
const runs = Number(flag('runs', '3'));
const threads = flag('threads', '');
const backend = await selectBackend(flag('backend', 'auto') as never, threads === '' ? {} : { threads: Number(threads) });
const kernels = activeNativeKernels();
const config = vitV2Config(size, { frames, imageSize: px });
const encoder = new VisionTransformerV2(config);
const tokens = (frames / config.tubelet) * (px / config.patch) ** 2;
const d = config.dim;
const hidden = Math.round(config.mlpRatio * d);
// per block: qkv 3D², proj D², fc1/fc2 2·D·hidden, attention 2·N²·D (scores and values); ×2 FLOP per MAC; + the patch embedding
const flop = 2 * (tokens * config.depth * (4 * d * d + 2 * d * hidden) + config.depth * 2 * tokens * tokens * d + tokens * d * config.tubelet * config.patch ** 2 * 3);
const clip = tf.randomNormal([1, frames, px, px, 3], 0, 1, 'float32', 1) as tf.Tensor5D;
const once = () => {
  const start = performance.now();
  tf.tidy(() => encoder.apply(clip).dataSync());
  return performance.now() - start;
};
once();
const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
const ms = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({
  impl: 'vjepa-ts', size, frames, px, tokens, backend: backend.backend, native: kernels !== null,
  threads: backend.accelerator.threads ?? null, gemm_core: kernels ? gemmKernel(kernels).core : null, openblas_coretype: process.env.OPENBLAS_CORETYPE || null,
  ms_per_clip: Math.round(ms), gflops: +(flop / ms / 1e6).toFixed(1), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  weights_mb: Math.round(encoder.parameterCount() * 4 / 2 ** 20), runs: times.map(Math.round),
}));
if (process.argv.includes('--profile')) {
  const info = await tf.profile(() => tf.tidy(() => encoder.apply(clip).dataSync()));
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs as number;
    entry.calls++;
    byKernel.set(k.name, entry);
  }
  const sorted = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  console.log(JSON.stringify({ profile: Object.fromEntries(sorted.map(([name, { ms, calls }]) => [name, { ms: Math.round(ms), calls }])) }));
}
encoder.dispose();
clip.dispose();
