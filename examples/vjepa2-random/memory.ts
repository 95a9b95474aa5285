// The peak memory of reading a V-JEPA 2 checkpoint (official .pt or Hugging Face folder) into float32
// state dicts, against the bytes of those weights. Run it in a fresh process (peak RSS only grows):
//   pnpm --filter @vjepa/example-vjepa2-random memory -- PATH [--lazy] [--json]
// --lazy reads every tensor once and drops it (what loading into a model tensor by tensor costs); run with
// node --expose-gc to collect after each tensor, so the figure is what the reader keeps, not the GC's lag.
import { parseArgs } from 'node:util';
import { openVjepa2, readVjepa2 } from '@vjepa/official';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { lazy: { type: 'boolean' }, json: { type: 'boolean' } } });
const path = positionals[0];
if (!path) {
  console.error('usage: memory.ts PATH [--lazy] [--json]');
  process.exit(2);
}
const megabytes = (kb: number) => kb / 1024;
const before = process.resourceUsage().maxRSS; // kB
let weightBytes = 0;
let fileBytes = 0;
if (values.lazy) {
  const checkpoint = openVjepa2(path);
  for (const state of [checkpoint.encoder, checkpoint.predictor, checkpoint.probe]) {
    for (const tensor of state?.values() ?? []) {
      weightBytes += tensor.read().byteLength;
      fileBytes += tensor.byteLength;
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  checkpoint.close();
} else {
  const weights = readVjepa2(path);
  for (const state of [weights.encoder, weights.predictor, weights.probe]) for (const tensor of state?.values() ?? []) weightBytes += tensor.data.byteLength;
  fileBytes = weightBytes;
}
const peak = process.resourceUsage().maxRSS;
const growthMb = megabytes(peak - before);
const weightsMb = weightBytes / 2 ** 20;
const report = { path, mode: values.lazy ? 'lazy' : 'read', rssBeforeMb: megabytes(before), rssPeakMb: megabytes(peak), growthMb, weightsMb, fileWeightsMb: fileBytes / 2 ** 20, ratio: growthMb / weightsMb };
console.log(values.json ? JSON.stringify(report) : `${path}: peak RSS grew ${growthMb.toFixed(0)} MB reading ${weightsMb.toFixed(0)} MB of float32 weights (${report.ratio.toFixed(2)}×)`);
