// One experiment in its own process (tfjs-wasm is single-threaded: two processes use two cores).
import { selectBackend } from '@vjepa/core';
import type { WhiteningKind } from '@vjepa/probe';
import { parseFlags, runExperiment, type Variant } from './experiment';

const args = parseFlags(process.argv.slice(2));
await selectBackend('auto');
const rows = await runExperiment({
  variant: args.variant as Variant,
  seed: Number(args.seed ?? 0),
  steps: Number(args.steps ?? 350),
  out: args.out ?? 'runs/evidence',
  trainSize: args.trainSize ? Number(args.trainSize) : undefined,
  valSize: args.valSize ? Number(args.valSize) : undefined,
  encoders: args.encoders === 'none' ? [] : args.encoders ? (args.encoders.split(',') as ('target' | 'online')[]) : undefined,
  data: args.data,
  whiten: args.whiten ? (args.whiten.split(',') as WhiteningKind[]) : undefined,
  lrGrid: args.lrGrid ? args.lrGrid.split(',').map(Number) : undefined,
  layers: args.layers ? args.layers.split(',').map((layer) => (layer === 'final' ? 'final' : Number(layer))) : undefined,
});
console.log(JSON.stringify(rows));
