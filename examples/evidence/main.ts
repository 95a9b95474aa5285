/**
 * The evidence experiment: every variant × seed as its own process, `--jobs` at a time, then the table and
 * two PNGs (loss curves, accuracy bars).
 *   pnpm start -- --variants=official,small,pixels,random --seeds=0,1 --steps=350 --jobs=2 --out=runs/evidence
 *   … --data=synthetic:motion-flat --whiten=none,pca   (the benchmark of issue 11, plain and whitened probes)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accuracyBars, collectResults, formatComparison, formatLossCurves, formatTable, lossCurve, parseFlags } from './experiment';
import { accuracyBarsImage, lossCurvesImage, writePng } from './plot';

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

const queue = variants.flatMap((variant) => seeds.map((seed) => ({ variant, seed })));
const job = fileURLToPath(new URL('./job.ts', import.meta.url));
async function worker(): Promise<void> {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { variant, seed } = next;
    const name = `${variant}-seed${seed}`;
    mkdirSync(join(out, name), { recursive: true });
    const logFile = createWriteStream(join(out, name, 'log.txt'));
    console.log(`start ${name}`);
    const started = Date.now();
    const extra = ['trainSize', 'valSize', 'encoders', 'data', 'whiten', 'layers', 'lrGrid'].filter((k) => args[k]).map((k) => `--${k}=${args[k]}`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', job, `--variant=${variant}`, `--seed=${seed}`, `--steps=${steps}`, `--out=${out}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        stream.pipe(logFile);
        if (!args.quiet) prefixLines(stream, `[${name}] `);
      }
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}; see ${join(out, name, 'log.txt')}`))));
    });
    console.log(`done ${name} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
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

const series = dirs.map((d) => ({ name: d, values: lossCurve(join(out, d)) })).filter((s) => s.values.length > 1);
if (series.length) writePng(lossCurvesImage(series, { title: 'pretraining loss: first step, then the mean of each tenth' }), join(out, 'loss.png'));
if (rows.length) writePng(accuracyBarsImage(accuracyBars(rows), { width: 800, title: 'top-1 on frozen features, mean over seeds (dashed: chance)' }), join(out, 'accuracy.png'));
console.log(`charts: ${join(out, 'loss.png')}, ${join(out, 'accuracy.png')}`);
