import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@vjepa/core';
import { VisionTransformer, vitConfig } from '@vjepa/vit';
import { embedClip, writeOfficialStyleWeights } from './embed';

// Usage: pnpm start [weights.safetensors]  (weights of a ViT-tiny at 16 × 64 × 64 unless you change `config`)
const config = vitConfig('tiny', { frames: 16, imageSize: 64 });
let weights = process.argv[2];
if (!weights) {
  // No file given: save a freshly initialised encoder under official key names first, then load that.
  await selectBackend('auto');
  weights = join(mkdtempSync(join(tmpdir(), 'vjepa-vit-only-')), 'encoder.safetensors');
  const fresh = new VisionTransformer(config, { seed: 1 });
  await writeOfficialStyleWeights(weights, fresh);
  fresh.dispose();
}
for (const line of await embedClip(weights, config)) console.log(line);
