/**
 * The evidence experiment: every variant × seed as its own process, `--jobs` at a time, then the table and
 * two PNGs (loss curves, accuracy bars).
 *   pnpm start -- --variants=official,small,pixels,random --seeds=0,1 --steps=350 --jobs=2 --out=runs/evidence
 *   … --data=synthetic:motion-flat --whiten=none,pca   (the benchmark of issue 11, plain and whitened probes)
 *   … --parallel-probes   (each pretrained encoder probed in its own process once its pretraining is done)
 *   … --summary           (end with one JSON line {encoder, task, top1, chance} per encoder and task)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANTS, accuracyBars, collectResults, formatComparison, formatLossCurves, formatTable, lossCurve, lossCurveSteps, parseFlags, summaryLines } from './experiment';
import { accuracyBarsImage, lossCurvesImage, sideBySide, writePng } from './plot';

const args = parseFlags(process.argv.slice(2));
const variants = (args.variants ?? 'official,small,pixels,random').split(',');
const seeds = (args.seeds ?? '0,1').split(',').map(Number);
const steps = Number(args.steps ?? 350);
const jobs = Number(args.jobs ?? 2);
const out = args.out ?? 'runs/evidence';
mkdirSync(out, { recursive: true });

/** Echoes a child's output line by line, each line prefixed with its run's name. */
function prefixLines(stream: NodeJS.ReadableStream, prefix: string): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line) console.log(prefix + line);
  });
}

/**
 * One process of the run: a variant × seed, or with `--parallel-probes` a pretraining alone (`encoders`
 * 'none') and then one process per probed encoder, each waiting for its pretraining (`after`).
 */
interface Job {
  variant: string;
  seed: number;
  encoders?: string;
  after?: Promise<void>;
  done?: () => void;
}
const parallelProbes = args['parallel-probes'] === 'true';
const queue: Job[] = [];
for (const variant of variants) {
  for (const seed of seeds) {
    const recipe = VARIANTS[variant];
    if (recipe === undefined) throw new Error(`--variants: expected names from ${Object.keys(VARIANTS).join(', ')}, received ${variant}`);
    if (!parallelProbes || recipe.untrained) {
      queue.push({ variant, seed });
      continue;
    }
    let done = () => {};
    const after = new Promise<void>((resolve) => (done = resolve));
    queue.push({ variant, seed, encoders: 'none', done });
    const encoders = args.encoders?.split(',') ?? recipe.encoders ?? ['target', 'online'];
    for (const encoder of encoders) queue.push({ variant, seed, encoders: encoder, after });
  }
}
// untrained runs and pretrainings first, so that the probes of a pretraining never hold a worker idle early
queue.sort((a, b) => Number(a.after !== undefined) - Number(b.after !== undefined));
const job = fileURLToPath(new URL('./job.ts', import.meta.url));
async function worker(): Promise<void> {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { variant, seed } = next;
    await next.after;
    const name = `${variant}-seed${seed}`;
    const part = next.encoders === undefined ? name : next.encoders === 'none' ? `${name} pretraining` : `${name} ${next.encoders}`;
    mkdirSync(join(out, name), { recursive: true });
    const logFile = createWriteStream(join(out, name, next.encoders === undefined || next.encoders === 'none' ? 'log.txt' : `log-${next.encoders}.txt`));
    console.log(`start ${part}`);
    const started = Date.now();
    const encoders = next.encoders ?? args.encoders;
    const extra = ['trainSize', 'valSize', 'data', 'whiten', 'layers', 'lrGrid'].filter((k) => args[k]).map((k) => `--${k}=${args[k]}`);
    if (encoders) extra.push(`--encoders=${encoders}`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', job, `--variant=${variant}`, `--seed=${seed}`, `--steps=${steps}`, `--out=${out}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(logFile);
        if (!args.quiet) prefixLines(stream, `[${part}] `);
      }
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${part} exited with ${code}; see ${logFile.path}`))));
    });
    next.done?.();
    console.log(`done ${part} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
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
