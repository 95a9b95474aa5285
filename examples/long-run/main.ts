// Usage: pnpm --filter @vjepa/example-long-run start [--steps=2000] [--backend=wasm]
// Prints a line per sample and a JSON report; exits 1 when RSS grew by 5 % or more after the warm-up or
// the tensor count changed.
import { selectBackend, type BackendRequest } from '@vjepa/core';
import { longRun } from './long-run';

const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const choice = await selectBackend(flag('backend', 'wasm') as BackendRequest);
console.log(`backend ${choice.backend}`);
const report = await longRun({
  steps: Number(flag('steps', '2000')),
  warmupSteps: Number(flag('warmup', '200')),
  onSample: (s) => console.log(`step ${s.step}: rss ${s.rssMb.toFixed(1)} MB, ${s.numTensors} tensors, loss ${s.loss.toFixed(4)}`),
});
const { samples: _samples, ...figures } = report;
console.log(JSON.stringify(figures, null, 2));
const ok = report.rssGrowthPercent < 5 && report.tensorCounts.length === 1;
console.log(ok ? 'flat: RSS growth < 5 % after the warm-up, constant tensor count' : 'NOT flat');
if (!ok) process.exitCode = 1;
