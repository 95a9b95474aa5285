/**
 * Issue 21's table, resumable: every cell of `pretraining-table.ts` not yet in `<out>/results.jsonl` (or whose
 * pretraining changed), `--jobs` processes at a time, each waiting for the pretraining it reads; then the
 * markdown in `<out>/table.md`, and with `--readme=README.md` between its `pretraining-table` markers.
 *   pnpm --filter @vjepa/example-evidence table -- --out=runs/pretraining-table          (the whole table)
 *   … --only=pretrain,surprise  --seeds=0  --budgets=1000,3000                          (a part of it)
 *   … --regularizers=none                                                               (without the regulariser decision)
 *   … --variants=vicreg-samples,vicreg-tokens,sigreg-samples,sigreg-tokens              (only those variants' cells)
 *   … --render                                                                          (only draw the table)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDone, needsPretraining, readRecords, type Cell } from './cells';
import { parseFlags } from './experiment';
import { TABLE_PLAN, renderTable, replaceMarked, tableCells, type TablePlan } from './pretraining-table';
import { runPool, type PoolJob } from './pool';

const args = parseFlags(process.argv.slice(2));
const out = args.out ?? 'runs/pretraining-table';
const list = (key: string) => args[key]?.split(',');
const numbers = (key: string) => list(key)?.map(Number);
const plan: TablePlan = {
  ...TABLE_PLAN,
  ...(args.variant ? { variant: args.variant } : {}),
  ...(args.data ? { data: args.data } : {}),
  ...(numbers('seeds') ? { seeds: numbers('seeds')! } : {}),
  ...(numbers('budgets') ? { budgets: numbers('budgets')! } : {}),
  ...(list('sets') ? { sets: list('sets')! } : {}),
  ...(args.pairs ? { pairs: Number(args.pairs) } : {}),
  ...(args['untrained-steps-cap'] ? { untrainedStepsCap: Number(args['untrained-steps-cap']) } : {}),
  ...(list('labels-per-class') ? { labelsPerClass: list('labels-per-class')!.map((l) => (l === 'all' ? 'all' : Number(l))) } : {}),
  ...(args['finetune-steps'] ? { finetuneSteps: Number(args['finetune-steps']) } : {}),
  ...(args.regularizers === 'none' ? { regularizerPairs: [] } : {}),
  ...(args['regularizer-budget'] ? { regularizerBudget: Number(args['regularizer-budget']) } : {}),
  ...(args.trainSize ? { trainSize: Number(args.trainSize) } : {}),
  ...(args.valSize ? { valSize: Number(args.valSize) } : {}),
};
const only = list('only');
const variants = list('variants');
const planned = [...new Set(tableCells(plan).map((c) => c.variant))];
for (const v of variants ?? []) if (!planned.includes(v)) throw new Error(`--variants: expected variants of the plan (${planned.join(', ')}), received ${v}`);
const resultsFile = join(out, 'results.jsonl');

if (args.render !== 'true') {
  const records = readRecords(resultsFile);
  const cells = tableCells(plan).filter((c) => (!only || only.includes(c.kind)) && (!variants || variants.includes(c.variant)));
  const todo = cells.filter((c) => !isDone(c, records, out, 'budgets'));
  console.log(`${cells.length} cells, ${cells.length - todo.length} done, ${todo.length} to run`);
  // a pretraining's cells wait for it; a pretraining itself waits for nothing (cells it does not list, with --only, are taken as done)
  const finished = new Map<string, () => void>();
  const waits = new Map<string, Promise<void>>();
  const runKey = (c: Cell) => `${c.variant}|${c.seed}|${c.steps}`;
  for (const c of todo.filter((c) => c.kind === 'pretrain')) waits.set(runKey(c), new Promise<void>((resolve) => finished.set(runKey(c), resolve)));
  const jobs: PoolJob[] = todo.map((c, k) => {
    const what = c.kind === 'surprise' ? `surprise-${c.of}` : c.kind === 'pretrain' ? 'pretrain' : c.kind === 'finetune' ? `finetune-${c.encoder}-${c.labelsPerClass}` : `knn-${c.encoder}`;
    const name = `${c.variant}-seed${c.seed}-steps${c.steps} ${what}`;
    return {
      name,
      script: 'cell-job.ts',
      args: [`--cell=${Buffer.from(JSON.stringify(c)).toString('base64url')}`, `--out=${out}`, '--layout=budgets'],
      logFile: join(out, 'logs', `${String(k).padStart(4, '0')}-${name.replace(' ', '-')}.txt`),
      after: needsPretraining(c) ? waits.get(runKey(c)) : undefined,
      done: c.kind === 'pretrain' ? finished.get(runKey(c)) : undefined,
    };
  });
  // what needs no pretraining and the pretrainings first, in plan order; the cells that read a pretraining after them
  jobs.sort((a, b) => Number(a.after !== undefined) - Number(b.after !== undefined));
  // a failed cell does not stop the others; the table is drawn from what finished, and the run exits with 1
  await runPool(jobs, { jobs: Number(args.jobs ?? 2), quiet: args.quiet === 'true', keepGoing: true }).catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
const table = renderTable(plan, readRecords(resultsFile));
writeFileSync(join(out, 'table.md'), `${table}\n`);
console.log(table);
if (args.readme) writeFileSync(args.readme, replaceMarked(readFileSync(args.readme, 'utf8'), table));
