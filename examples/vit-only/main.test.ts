import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import { embedClip, writeOfficialStyleWeights } from './embed';

describe('examples/vit-only', () => {
  it('loads weights saved under module.backbone.* keys and embeds a clip', async () => {
    await selectBackend('cpu');
    const config = { dim: 32, depth: 1, heads: 2, frames: 4, imageSize: 32 };
    const file = join(mkdtempSync(join(tmpdir(), 'vit-only-')), 'encoder.safetensors');
    const encoder = new VisionTransformer(config, { seed: 3 });
    await writeOfficialStyleWeights(file, encoder);
    encoder.dispose();
    const lines = await embedClip(file, config);
    expect(lines[1]).toBe(`loaded 17 tensors from ${file}`); // pos_embed, patch_embed ×2, 12 per block, norm ×2
    expect(lines[2]).toBe('features [1,8,32] (tokens 2×2×2)');
  });
});
