/**
 * The evidence experiment: every variant × seed as its own process, `--jobs` at a time, then the table and
 * two PNGs (loss curves, accuracy bars).
 *   pnpm start -- --variants=official,small,pixels,random --seeds=0,1 --steps=350 --jobs=2 --out=runs/evidence
 *   … --data=synthetic:motion-flat --whiten=none,pca   (the benchmark of issue 11, plain and whitened probes)
 *   … --parallel-probes   (each pretrained encoder probed in its own process once its pretraining is done)
 *   … --summary           (end with one JSON line {encoder, task, top1, chance} per encoder and task)
 *   … --measure[=surprise,knn,finetune]   (then one JSON line per measurement {encoder, task, metric, value, baseline, baseline_value})
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellKey, isDone, needsPretraining, readRecords, type Cell } from './cells';
import { VARIANTS, accuracyBars, collectResults, formatComparison, formatLossCurves, formatTable, lossCurve, lossCurveSteps, parseFlags, summaryLines } from './experiment';
import { cellMeasurementLines, mainJobCells, measureFlags, probeMeasurementLines } from './measurements';
import { accuracyBarsImage, lossCurvesImage, sideBySide, writePng } from './plot';
import { runPool, type PoolJob } from './pool';

const args = parseFlags(process.argv.slice(2));
const variants = (args.variants ?? 'official,small,pixels,random').split(',');
const seeds = (args.seeds ?? '0,1').split(',').map(Number);
const steps = Number(args.steps ?? 350);
const jobs = Number(args.jobs ?? 2);
const out = args.out ?? 'runs/evidence';
mkdirSync(out, { recursive: true });

/**
 * One process of the run: a variant × seed, or with `--parallel-probes` a pretraining alone (`encoders`
 * 'none') and then one process per probed encoder, each waiting for its pretraining (`after`); with
 * `--measure`, the measurement cells of `measurements.ts` (those of a pretrained encoder wait for it too).
 */
interface Job {
  variant: string;
  seed: number;
  encoders?: string;
  cell?: Cell;
  after?: Promise<void>;
  done?: () => void;
}
const parallelProbes = args['parallel-probes'] === 'true';
const queue: Job[] = [];
/** When each pretraining (`variant-seedN`) is done: what its probes and cells wait for. */
const pretrained = new Map<string, Promise<void>>();
const waitable = (job: Job): Job => {
  let done = () => {};
  pretrained.set(`${job.variant}-seed${job.seed}`, new Promise<void>((resolve) => (done = resolve)));
  return { ...job, done };
};
for (const variant of variants) {
  for (const seed of seeds) {
    const recipe = VARIANTS[variant];
    if (recipe === undefined) throw new Error(`--variants: expected names from ${Object.keys(VARIANTS).join(', ')}, received ${variant}`);
    if (recipe.untrained) {
      queue.push({ variant, seed });
      continue;
    }
    if (!parallelProbes) {
      queue.push(waitable({ variant, seed }));
      continue;
    }
    queue.push(waitable({ variant, seed, encoders: 'none' }));
    const after = pretrained.get(`${variant}-seed${seed}`);
    const encoders = args.encoders?.split(',') ?? recipe.encoders ?? ['target', 'online'];
    for (const encoder of encoders) queue.push({ variant, seed, encoders: encoder, after });
  }
}
// `--measure[=surprise,knn,finetune]`: the measurement cells of the one pretrained variant, per seed
const measuring = args.measure !== undefined;
const data = args.data ?? 'synthetic';
const cells: Cell[] = [];
if (measuring) {
  const trained = variants.filter((v) => !VARIANTS[v].untrained);
  if (trained.length !== 1) throw new Error(`--measure: expected one pretrained variant in --variants, received ${trained.join(', ') || 'none'}`);
  const measures = measureFlags(args);
  const sizes = { ...(args.trainSize ? { trainSize: Number(args.trainSize) } : {}), ...(args.valSize ? { valSize: Number(args.valSize) } : {}) };
  for (const seed of seeds) cells.push(...mainJobCells({ variant: trained[0], seed, steps, data, ...sizes }, measures));
  const done = readRecords(join(out, 'results.jsonl'));
  for (const cell of cells) {
    if (isDone(cell, done, out, 'flat')) continue;
    queue.push({ variant: cell.variant, seed: cell.seed, cell, after: needsPretraining(cell) ? pretrained.get(`${cell.variant}-seed${cell.seed}`) : undefined });
  }
}
// untrained runs, pretrainings and untrained measurements first, so that what waits for a pretraining never holds a worker idle early
queue.sort((a, b) => Number(a.after !== undefined) - Number(b.after !== undefined));
const poolJobs: PoolJob[] = queue.map((next, k) => {
  const { variant, seed } = next;
  const name = `${variant}-seed${seed}`;
  if (next.cell) {
    const cell = next.cell;
    const what = cell.kind === 'surprise' ? `surprise ${cell.of}` : cell.kind === 'pretrain' ? 'pretrain' : `${cell.kind} ${cell.encoder}`;
    const encoded = Buffer.from(JSON.stringify(cell)).toString('base64url');
    return { name: `${name} ${what}`, script: 'cell-job.ts', args: [`--cell=${encoded}`, `--out=${out}`, '--layout=flat'], logFile: join(out, 'cells', `log-${k}-${what.replace(' ', '-')}-seed${seed}.txt`), after: next.after };
  }
  const part = next.encoders === undefined ? name : next.encoders === 'none' ? `${name} pretraining` : `${name} ${next.encoders}`;
  const encoders = next.encoders ?? args.encoders;
  const extra = ['trainSize', 'valSize', 'data', 'whiten', 'layers', 'lrGrid'].filter((key) => args[key]).map((key) => `--${key}=${args[key]}`);
  if (encoders) extra.push(`--encoders=${encoders}`);
  return {
    name: part,
    script: 'job.ts',
    args: [`--variant=${variant}`, `--seed=${seed}`, `--steps=${steps}`, `--out=${out}`, ...extra],
    logFile: join(out, name, next.encoders === undefined || next.encoders === 'none' ? 'log.txt' : `log-${next.encoders}.txt`),
    after: next.after,
    done: next.done,
  };
});
await runPool(poolJobs, { jobs, quiet: Boolean(args.quiet) });
const dirs = variants.flatMap((v) => seeds.map((s) => `${v}-seed${s}`));
const rows = collectResults(out, dirs);
const table = formatTable(rows);
const curves = formatLossCurves(out, dirs);
writeFileSync(join(out, 'table.md'), `${table}\n${curves ? `\nPretraining loss (first step, then the mean of each tenth of the run):\n\n${curves}\n` : ''}`);
console.log(`${table}\n`);
console.log(`${formatComparison(rows)}\n`);
if (curves) console.log(`pretraining loss (first step, then the mean of each tenth of the run):\n${curves}`);

const series = dirs
  .map((d) => ({ name: d, values: lossCurve(join(out, d)) }))
  .filter((s) => s.values.length > 1)
  .map((s) => ({ ...s, steps: lossCurveSteps(steps).slice(0, s.values.length) })); // a finished pretraining logs `steps` losses
const lossImage = series.length ? lossCurvesImage(series, { title: 'pretraining loss: step 1, then the mean of each tenth of the run' }) : undefined;
const barsImage = rows.length ? accuracyBarsImage(accuracyBars(rows), { width: 800, title: 'top-1 on frozen features, mean over seeds (dashed: chance)' }) : undefined;
if (lossImage) writePng(lossImage, join(out, 'loss.png'));
if (barsImage) writePng(barsImage, join(out, 'accuracy.png'));
const charts = [lossImage, barsImage].filter((c) => c !== undefined);
if (charts.length) writePng(sideBySide(charts), join(out, 'summary.png'));
console.log(`charts: ${join(out, 'loss.png')}, ${join(out, 'accuracy.png')}, both in ${join(out, 'summary.png')}`);
// `--summary`: end with one JSON line per encoder and task (the main job's contract)
if (args.summary === 'true') for (const line of summaryLines(rows)) console.log(JSON.stringify(line));
// `--measure`: then one line per measurement {encoder, task, metric, value, baseline, baseline_value}
if (measuring) {
  const keys = new Set(cells.map(cellKey));
  const records = readRecords(join(out, 'results.jsonl')).filter((r) => keys.has(r.key));
  for (const line of [...probeMeasurementLines(rows), ...cellMeasurementLines(records)]) console.log(JSON.stringify(line));
}
