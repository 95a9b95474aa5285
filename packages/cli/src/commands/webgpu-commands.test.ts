import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWebGpuAdapter } from '@vjepa/core';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { fresh, repoRoot, TINY, vjepaIn } from '../run-cli.test-util';

// `vjepa train` on webgpu in Node (SwiftShader's Vulkan driver here and in CI), against the same run on
// wasm: the step, the checkpoint and the diagnostics read the GPU asynchronously.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'vjepa-xdg-'));
const found = await findWebGpuAdapter();

/** The metrics lines of a run's `metrics.jsonl`. */
function metrics(out: string): { loss: number; generatorLosses: number[]; diagnostics?: { effectiveRank: number; featureStd: number } }[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

describe.skipIf(!('adapter' in found))(`vjepa train --backend webgpu (${'adapter' in found ? found.adapter.description : `skipped: ${found.reason}`})`, () => {
  it('trains a step with a checkpoint, the losses and diagnostics those of wasm to 1e-5', async () => {
    const [gpu, wasm] = [join(fresh(), 'out'), join(fresh(), 'out')];
    const flags = [...TINY.slice(0, -2), '--steps', '1', '--checkpoint-every', '1'];
    const onGpu = vjepaIn(repoRoot, ['train', ...flags, '--backend', 'webgpu', '--out', gpu]);
    expect(onGpu.stderr).not.toMatch(/cannot read a tensor synchronously/);
    expect(onGpu.status).toBe(0);
    expect(onGpu.stdout).toMatch(/^backend: webgpu/m);
    expect(onGpu.stdout).toMatch(/checkpoint: .*step-00000001/);
    // the same run on wasm, in this process (one child process less)
    const runFlags = { data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDepth: '1', predDim: '48', batchSize: '2', steps: '1' };
    await runTrain({ config: resolveRunConfig(runFlags, {}), backend: 'wasm', out: wasm, checkpointEvery: 1, log: () => undefined });
    const [a, b] = [metrics(gpu), metrics(wasm)];
    expect(a).toHaveLength(1);
    a.forEach((line, k) => {
      expect(Math.abs(line.loss - b[k].loss)).toBeLessThan(1e-5);
      line.generatorLosses.forEach((loss, g) => expect(Math.abs(loss - b[k].generatorLosses[g])).toBeLessThan(1e-5));
    });
    expect(Math.abs(a[0].diagnostics!.effectiveRank - b[0].diagnostics!.effectiveRank) / b[0].diagnostics!.effectiveRank).toBeLessThan(1e-4);
    expect(Math.abs(a[0].diagnostics!.featureStd - b[0].diagnostics!.featureStd)).toBeLessThan(1e-5);
  });
});
