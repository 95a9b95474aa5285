// Writes a Hugging Face VJEPA2ForVideoClassification folder of random weights at the real sizes:
//   pnpm --filter @vjepa/example-vjepa2-random start -- --out /tmp/vjepa2-vitl-random [--size vitl|vith|vitg]
//        [--dtype F16|F32] [--classes 174] [--image-size 256] [--frames 16] [--seed 0] [--shard-mb 2000]
import { parseArgs } from 'node:util';
import { describeArch, writeRandomVjepa2Classifier, type Vjepa2Size } from '@vjepa/official';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    size: { type: 'string', default: 'vitl' },
    dtype: { type: 'string', default: 'F16' },
    classes: { type: 'string', default: '174' },
    'image-size': { type: 'string', default: '256' },
    frames: { type: 'string', default: '16' },
    seed: { type: 'string', default: '0' },
    'shard-mb': { type: 'string' },
  },
});
if (!values.out) {
  console.error('usage: main.ts --out DIR [--size vitl] [--dtype F16|F32] [--classes 174] [--image-size 256] [--frames 16] [--seed 0] [--shard-mb N]');
  process.exit(2);
}
const written = writeRandomVjepa2Classifier(values.out, {
  size: values.size as Vjepa2Size,
  dtype: values.dtype as 'F16' | 'F32',
  classes: Number(values.classes),
  imageSize: Number(values['image-size']),
  frames: Number(values.frames),
  seed: Number(values.seed),
  maxShardBytes: values['shard-mb'] === undefined ? undefined : Number(values['shard-mb']) * 1e6,
});
console.log(`${values.out}: ${written.files.join(', ')}; ${written.tensors} tensors, ${(written.bytes / 1e6).toFixed(1)} MB of ${written.dtype}`);
console.log(describeArch(written.arch));
