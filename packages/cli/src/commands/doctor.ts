import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { activeNativeKernels, findWebGpuAdapter, gemmKernel, measureGemm, selectBackend, type BackendChoice, type GemmKernel, type GemmMeasurement } from '@vjepa/core';
import { findNpmFfmpeg, findOnPath } from '@vjepa/data';

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0].trim();
}

function ffmpegVersion(path: string): string {
  const result = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 20_000 });
  return result.error ? `cannot run (${result.error.message})` : firstLine(result.stdout);
}

/**
 * The accelerator lines of `vjepa doctor`: `accelerator: native|none — reason`, then one plain sentence
 * saying whether the fast or the slow path is running on this backend.
 */
export function acceleratorLines(choice: Pick<BackendChoice, 'backend' | 'accelerator'>): string[] {
  const { name, reason } = choice.accelerator;
  const lines = [`accelerator: ${name} — ${reason}`];
  if (name === 'native') {
    lines.push(`  fast path: the native kernels run on the ${choice.backend} backend's memory`);
  } else if (choice.backend === 'wasm' || choice.backend === 'cpu') {
    lines.push(
      `  the SLOW path is running: tfjs's own ${choice.backend} kernels, without the native accelerator` +
        (choice.backend === 'cpu' ? ' (and the cpu backend is slower still than wasm)' : '') +
        '; the reason above says what would turn the fast path on',
    );
  }
  return lines;
}

/** The WebGPU line of `vjepa doctor`: the adapter `--backend webgpu` would run on, or plainly why there is none. */
export function webgpuLine(found: Awaited<ReturnType<typeof findWebGpuAdapter>>): string {
  if (!('adapter' in found)) return `backend webgpu: no adapter — ${found.reason}`;
  const { description, software } = found.adapter;
  return software
    ? `backend webgpu: adapter ${description} — a software adapter: correct but slower than wasm; --backend webgpu uses it`
    : `backend webgpu: adapter ${description} — a GPU; --backend webgpu uses it (compare with vjepa bench --backends webgpu,wasm)`;
}

/**
 * The GEMM lines of `vjepa doctor`: which matrix product the native kernels run (the BLAS's own
 * configuration, or the addon's built-in GEMM) and its measured rate on the pool's threads; then, for
 * OpenBLAS, the core kernel it runs (`openblas_get_corename()`) and whether OPENBLAS_CORETYPE forced it.
 */
export function gemmLines(probe: GemmMeasurement, kernel: GemmKernel, threads: number): string[] {
  const lines = [`  gemm: ${probe.gemm} — ${probe.gflops.toFixed(1)} GFLOP/s measured (sgemm ${probe.size}³, ${probe.runs} runs, ${threads} thread(s))`];
  if (kernel.config.startsWith('OpenBLAS')) {
    const how = kernel.coreType ? `forced by OPENBLAS_CORETYPE=${kernel.coreType}` : 'OPENBLAS_CORETYPE unset: OpenBLAS chose it for this CPU';
    lines.push(`  gemm kernel: OpenBLAS core ${kernel.core} (${how})`);
  }
  return lines;
}

/**
 * `vjepa doctor`: Node, the tfjs backends and why each does or does not load (the native GPU one
 * included), ffmpeg (system, FFMPEG_PATH, npm-shipped) and threads — what to check before a run.
 */
export async function runDoctor(log: (line: string) => void = console.log): Promise<{ backend: string; accelerator: 'native' | 'none' }> {
  log(`node ${process.version} on ${process.platform}-${process.arch}`);
  log(`cpu threads: ${availableParallelism()} (tfjs-wasm runs single-threaded in Node; the native kernels split across their own pool, --threads or VJEPA_THREADS; native tfjs uses all cores)`);
  const choice = await selectBackend('auto');
  for (const rejected of choice.rejected) log(`backend ${rejected.candidate}: not used — ${rejected.reason}`);
  log(`backend ${choice.backend}${choice.provider ? ` (${choice.provider})` : ''}: selected — ${choice.reason}`);
  for (const line of acceleratorLines(choice)) log(line);
  const kernels = activeNativeKernels();
  if (kernels !== null) for (const line of gemmLines(measureGemm(kernels), gemmKernel(kernels), choice.accelerator.threads ?? 1)) log(line);
  if (choice.backend !== 'tensorflow') {
    log('  for a GPU: npm install @tensorflow/tfjs-node-gpu@4.22.0 (CUDA + cuDNN required), then vjepa runs on it with --backend auto');
  }
  log(webgpuLine(await findWebGpuAdapter()));
  const env = process.env.FFMPEG_PATH;
  if (env) log(`ffmpeg (FFMPEG_PATH): ${env} — ${ffmpegVersion(env)}`);
  const system = findOnPath();
  log(system ? `ffmpeg (PATH): ${system} — ${ffmpegVersion(system)}` : 'ffmpeg (PATH): not found (apt-get install ffmpeg, or rely on the npm-shipped one)');
  const npm = findNpmFfmpeg();
  log(npm ? `ffmpeg (@ffmpeg-installer/ffmpeg): ${npm} — ${ffmpegVersion(npm)}` : 'ffmpeg (@ffmpeg-installer/ffmpeg): not installed');
  if (!env && !system && !npm) log('  no ffmpeg: only the synthetic datasets and in-memory arrays can be used');
  return { backend: choice.backend, accelerator: choice.accelerator.name };
}

/** `vjepa doctor`: what to check before a run. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description('report Node, the tfjs backends (and why the native GPU one does or does not load), the accelerator (fast or slow path, and why), ffmpeg and threads')
    .action(async () => {
      await runDoctor();
    });
}
