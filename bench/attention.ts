// Times the native attention kernel (forward, and forward + backward) on long sequences, straight on a
// heap as tfjs's wasm backend hands it over: `[1, N, 3D]` qkv rows, heads read in place. Prints one JSON
// line per size with the median milliseconds, the attention GFLOP/s (4·N²·D forward, 2.5× that for
// backward), the kernel's scratch (floats) and the GEMM in use (OpenBLAS, or the built-in one:
// VJEPA_ACCELERATE_ADDON=<a VJEPA_BLAS=none build> switches). It measures; run it on a quiet machine:
//   node --import tsx bench/attention.ts --tokens 1568,2048,8192 --heads 16 --dh 64 --runs 5
import { loadNativeKernels } from '../packages/accelerate/src/load';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const { kernels, reason } = loadNativeKernels();
if (kernels === null) throw new Error(reason);
const tokens = flag('tokens', '1568,2048,8192').split(',').map(Number);
const [heads, dh, runs] = [Number(flag('heads', '16')), Number(flag('dh', '64')), Number(flag('runs', '5'))];
const width = heads * dh;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

for (const n of tokens) {
  // qkv [N, 3D] | out [N, D] | dout [N, D] | dqkv [N, 3D]
  const floats = n * 3 * width + 2 * n * width + n * 3 * width;
  const mem = new Uint8Array(4 * floats);
  const view = new Float32Array(mem.buffer);
  for (let i = 0; i < floats; i++) view[i] = ((i * 7919) % 2000) / 1000 - 1;
  const [qkv, out, dout, grad] = [0, 4 * n * 3 * width, 4 * n * 4 * width, 4 * n * 5 * width];
  const shape = [1, n, n, heads, dh, 3 * width, 3 * width, 3 * width, width, 1 / Math.sqrt(dh)] as const;
  const forward = () => kernels.attentionForward(mem, qkv, qkv + 4 * width, qkv + 8 * width, out, ...shape);
  const backward = () => kernels.attentionBackward(mem, qkv, qkv + 4 * width, qkv + 8 * width, dout, grad, grad + 4 * width, grad + 8 * width, ...shape);
  const time = (f: () => void) => {
    f();
    return median(Array.from({ length: runs }, () => {
      const start = performance.now();
      f();
      return performance.now() - start;
    }));
  };
  const [fwd, bwd] = [time(forward), time(backward)];
  const flops = 4 * n * n * width;
  console.log(JSON.stringify({ tokens: n, heads, dh, forward_ms: fwd, backward_ms: bwd, forward_gflops: flops / fwd / 1e6, backward_gflops: (2.5 * flops) / bwd / 1e6, scratch_floats: kernels.scratchFloats(), gemm: kernels.blasInfo().trim() }));
}
