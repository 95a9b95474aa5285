import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsSync } from '@vjepa/core';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { savedDecoderState, trainDecoder } from './train';
import { showDecoder } from './show';

// Two tiny runs of one step each (a ViT-tiny of depth 1 on the embedded 8 × 64 × 64 synthetic clips): one
// of V-JEPA's features, one of the pixel baseline.
const runs = { features: '', pixels: '' };
const silent = () => undefined;
const decoderSizes = { dim: 24, depth: 1, heads: 3 };

beforeAll(async () => {
  for (const target of ['features', 'pixels'] as const) {
    const out = mkdtempSync(join(tmpdir(), `vjepa-decoder-run-${target}-`));
    const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: '1', target });
    await runTrain({ config, backend: 'wasm', out, checkpointEvery: 1, log: silent, onProgress: silent });
    runs[target] = out;
  }
});

const weights = (dir: string) => [...readSafetensorsSync(join(dir, 'decoder.safetensors')).tensors.values()].map((t) => Array.from(t.data as Float32Array));

describe('trainDecoder and showDecoder', () => {
  it('trains with progress lines and checkpoints, and a resumed training equals an uninterrupted one', async () => {
    const lines: string[] = [];
    const whole = mkdtempSync(join(tmpdir(), 'vjepa-decoder-'));
    const common = { checkpoint: runs.features, batchSize: 2, decoder: decoderSizes, backend: 'wasm' as const };
    const summary = await trainDecoder({ ...common, steps: 3, out: whole, checkpointEvery: 2, log: (line) => lines.push(line) });
    expect(summary.losses).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('decode step')).map((l) => l.split(' | ')[0])).toEqual(['decode step 1/3', 'decode step 3/3']);
    expect(lines.at(-1)).toBe(`checkpoint: ${summary.checkpointDir}`);
    const saved = savedDecoderState(whole)!;
    expect(saved.step).toBe(3);
    expect(saved.config).toMatchObject({ inputDim: 192, dim: 24, depth: 1, frames: 8, imageSize: 64, patch: 16, tubelet: 2 });

    const split = mkdtempSync(join(tmpdir(), 'vjepa-decoder-'));
    await trainDecoder({ ...common, steps: 2, out: split, log: silent });
    await expect(trainDecoder({ ...common, steps: 3, out: split, log: silent })).rejects.toThrow(/--out: expected a folder without a decoder checkpoint/);
    const resumed = await trainDecoder({ ...common, steps: 3, out: split, resume: true, log: silent });
    expect(resumed.startStep).toBe(2);
    expect(resumed.losses).toEqual(summary.losses.slice(2));
    expect(weights(resumed.checkpointDir)).toEqual(weights(summary.checkpointDir));
  });

  it('writes the sheet and gives the masked error beside the baselines, the pixel model included', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-decoder-'));
    await trainDecoder({ checkpoint: runs.features, steps: 2, out, batchSize: 2, decoder: decoderSizes, backend: 'wasm', log: silent });
    const sheet = join(out, 'sheet.png');
    const result = await showDecoder({ checkpoint: runs.features, decoder: out, video: 'synthetic:tiny', samples: 2, out: sheet, pixelCheckpoint: runs.pixels, backend: 'wasm', log: silent });
    expect(result.samples).toBe(2);
    for (const value of [result.masked_l1, result.baselines.mean_colour, result.baselines.nearest_visible, result.baselines.pixel_model!]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(1);
    }
    const png = PNG.sync.read(readFileSync(sheet));
    // 4 tubelet steps of 64 px across; the clip and 2 × (mask, decoding) down; 2 px gaps
    expect([png.width, png.height]).toEqual([4 * 64 + 5 * 2, 5 * 64 + 6 * 2]);
    await expect(showDecoder({ checkpoint: runs.pixels, decoder: out, video: 'synthetic:tiny', out: sheet, log: silent })).rejects.toThrow(
      /--checkpoint: expected a run with --target features, received "a run with --target pixels/,
    );
    await expect(showDecoder({ checkpoint: runs.features, decoder: runs.features, video: 'synthetic:tiny', out: sheet, log: silent })).rejects.toThrow(
      /--decoder: expected a vjepa decode train output folder/,
    );
  });
});
