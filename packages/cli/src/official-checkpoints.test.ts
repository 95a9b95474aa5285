import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensorsSync } from '@vjepa/core';
import { runEmbed } from './commands/embed';
import { runProbe } from './commands/probe';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url).pathname;
const pretrain = fixture('pytorch/tiny-pretrain.pth.tar');
const quiet = () => undefined;

describe('official pretraining checkpoints in the commands', () => {
  it('vjepa embed and vjepa probe --checkpoint FILE.pth.tar (with --probe-checkpoint) run on the official files', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-embed-pth-')), 'features.safetensors');
    const { shape } = await runEmbed({ inputs: ['synthetic:tiny'], checkpoint: pretrain, inferred: { heads: 4 }, out, limit: 3, log: quiet });
    expect(shape).toEqual([3, 36, 48]);
    expect(readSafetensorsSync(out).metadata.encoder).toBe('target_encoder');
    const [summary] = await runProbe({
      checkpoint: pretrain,
      inferred: { heads: 4 },
      probeCheckpoint: fixture('pytorch/tiny-probe.pth.tar'),
      train: 'synthetic:tiny',
      val: 'synthetic:tiny',
      trainSize: 4,
      valSize: 8,
      log: quiet,
    });
    expect(summary).toMatchObject({ classes: 5, val: 8, task: 'shape', probe: 'attentive', checkpoint: pretrain });
    expect(summary.top1 * 8).toBe(Math.round(summary.top1 * 8));
  });
});
