/**
 * The measurements of issue 21, one "cell" each: a pretraining, a surprise scoring, a frozen k-NN read-out or
 * a fine-tuning, each run by the library function that `vjepa train`, `surprise`, `probe --probe knn` and
 * `finetune` run. A cell's result is one JSON line in a results file (`results.jsonl`); a cell whose line is
 * there (and, for a cell of a pretrained encoder, of the same pretraining) is not run again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { finetuneSource, probeSource } from '@vjepa/official';
import { readRunState, resolveRunConfig, runSurprise, type RunConfig, type SurpriseRow } from '@vjepa/trainer';
import { VARIANTS, lossSummary, modelFlags, runExperiment, tasksOf, type Variant } from './experiment';

/** What every cell of one pretraining shares: the pretrained variant, its seed, its budget and its data. */
export interface CellBase {
  variant: string;
  seed: number;
  /** Pretraining steps (the budget). */
  steps: number;
  data: string;
  /** Clips of the synthetic train / val sets of the k-NN read-out and the fine-tuning (default 1024 / 512). */
  trainSize?: number;
  valSize?: number;
}

/**
 * One measurement. `surprise`: `of` `pretrained` scores the run of `variant` (a `pixels` variant scores in
 * pixel space), `untrained` the untrained encoder with a predictor trained `untrainedSteps` on its frozen
 * features, `pixels` the frame-difference detector and the constant-velocity tracker. `knn` and `finetune`:
 * the run's target encoder or an untrained one of the same architecture.
 */
export type Cell =
  | (CellBase & { kind: 'pretrain' })
  | (CellBase & { kind: 'surprise'; of: 'pretrained' | 'untrained' | 'pixels'; sets: string[]; count: number; untrainedSteps?: number })
  | (CellBase & { kind: 'knn'; encoder: 'target' | 'untrained' })
  | (CellBase & { kind: 'finetune'; encoder: 'target' | 'untrained'; label: string; labelsPerClass: number | 'all'; finetuneSteps: number });

/** A surprise row without its per-pair scores. */
export type SurpriseSummary = Omit<SurpriseRow, 'scores'>;

/** What a cell measured. */
export type CellResult =
  | { kind: 'pretrain'; lossStart: number; lossEnd: number }
  | { kind: 'surprise'; rows: SurpriseSummary[] }
  | { kind: 'knn'; top1: Record<string, number> }
  | { kind: 'finetune'; top1: number; train: number; val: number };

/** One line of the results file. */
export interface CellRecord {
  key: string;
  cell: Cell;
  /** The checksum of the pretraining's checkpoint a cell of a pretrained encoder read (absent otherwise). */
  pretraining?: string;
  seconds: number;
  result: CellResult;
}

/** A cell's identity: its fields as JSON with sorted keys. */
export function cellKey(cell: Cell): string {
  return JSON.stringify(Object.fromEntries(Object.entries(cell).sort(([a], [b]) => a.localeCompare(b))));
}

/** Whether a cell reads the pretrained run (and so waits for it and records its checksum). */
export function needsPretraining(cell: Cell): boolean {
  return cell.kind === 'surprise' ? cell.of === 'pretrained' : cell.kind !== 'pretrain' && cell.encoder === 'target';
}

/**
 * Where pretrainings lie under a results root: `flat` — `<root>/<variant>-seed<seed>`, as the evidence
 * experiment (`main.ts`) keeps them, one budget a root; `budgets` — `<root>/steps-<steps>/<variant>-seed<seed>`.
 */
export type RunLayout = 'flat' | 'budgets';

/** The root `runExperiment` pretrains a cell's run under. */
function pretrainingRoot(root: string, cell: CellBase, layout: RunLayout): string {
  return layout === 'flat' ? root : join(root, `steps-${cell.steps}`);
}

/** The folder of a cell's pretraining (see {@link RunLayout}). */
export function runDir(root: string, cell: CellBase, layout: RunLayout = 'budgets'): string {
  return join(pretrainingRoot(root, cell, layout), `${cell.variant}-seed${cell.seed}`);
}

/** The pretraining's run configuration, as `runExperiment` builds it. */
function variantConfig(cell: CellBase): RunConfig {
  const recipe = VARIANTS[cell.variant];
  if (recipe === undefined || recipe.untrained) throw new Error(`variant: expected a pretrained variant of ${Object.keys(VARIANTS).join(', ')}, received ${cell.variant}`);
  return resolveRunConfig({ ...modelFlags(cell.seed, cell.steps), data: cell.data, ...recipe.flags }, recipe.base ?? {});
}

/** The checksum of the newest checkpoint of a pretraining (what a cell of its encoder read), or null. */
export function pretrainingChecksum(dir: string): string | null {
  return existsSync(dir) ? (readRunState(dir, { onWarning: () => undefined })?.state.checksum ?? null) : null;
}

/** The records of a results file (none when it is missing); a line cut by a kill is skipped. */
export function readRecords(file: string): CellRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as CellRecord] : [];
    } catch {
      return [];
    }
  });
}

/** Whether `records` hold a result of `cell` (for a cell of a pretrained encoder: of the pretraining now in `root`). */
export function isDone(cell: Cell, records: readonly CellRecord[], root: string, layout: RunLayout = 'budgets'): boolean {
  const key = cellKey(cell);
  const checksum = needsPretraining(cell) ? pretrainingChecksum(runDir(root, cell, layout)) : undefined;
  return records.some((r) => r.key === key && (checksum === undefined || r.pretraining === checksum));
}

/** Runs one cell with the library functions and appends its record to `<root>/results.jsonl`. */
export async function runCell(cell: Cell, root: string, layout: RunLayout = 'budgets', log: (line: string) => void = console.log): Promise<CellRecord> {
  const started = performance.now();
  const dir = runDir(root, cell, layout);
  const probeData = { train: cell.data, val: cell.data, seed: cell.seed, trainSize: cell.trainSize, valSize: cell.valSize, log };
  const random = { checkpoint: 'random', modelFlags: modelFlags(cell.seed, cell.steps) };
  let result: CellResult;
  if (cell.kind === 'pretrain') {
    await runExperiment({ variant: cell.variant as Variant, seed: cell.seed, steps: cell.steps, out: pretrainingRoot(root, cell, layout), data: cell.data, encoders: [], log });
    result = { kind: 'pretrain', ...lossSummary(dir) };
  } else if (cell.kind === 'surprise') {
    const common = { sets: cell.sets, count: cell.count, seed: cell.seed, log };
    const rows =
      cell.of === 'pretrained'
        ? await runSurprise({ ...common, runs: [dir] })
        : await runSurprise({ ...common, config: variantConfig(cell), baselines: cell.of === 'untrained' ? ['untrained'] : ['frame-diff', 'tracker'], untrainedSteps: cell.untrainedSteps });
    result = { kind: 'surprise', rows: rows.map(({ scores: _scores, ...row }) => row) };
  } else if (cell.kind === 'knn') {
    const encoder = cell.encoder === 'target' ? { checkpoint: dir, encoder: 'target' as const } : random;
    const cellDir = join(root, 'cells', `knn-${cell.encoder}-steps${cell.steps}-${cell.variant}-seed${cell.seed}`);
    mkdirSync(cellDir, { recursive: true });
    const summaries = await probeSource({ ...probeData, ...encoder, labels: tasksOf(cell.data), probe: 'knn', out: join(cellDir, 'bank.safetensors') });
    result = { kind: 'knn', top1: Object.fromEntries(summaries.map((s) => [s.task, s.top1])) };
  } else {
    const encoder = cell.encoder === 'target' ? { checkpoint: dir, encoder: 'target' as const } : random;
    const out = join(root, 'cells', `finetune-${cell.encoder}-${cell.label}-${cell.labelsPerClass}-steps${cell.steps}-${cell.variant}-seed${cell.seed}`);
    rmSync(out, { recursive: true, force: true }); // an unfinished cell starts over
    const ft = await finetuneSource({
      ...probeData, ...encoder, label: cell.label, steps: cell.finetuneSteps, out, checkpointEvery: cell.finetuneSteps,
      ...(cell.labelsPerClass === 'all' ? {} : { labelsPerClass: cell.labelsPerClass }),
    });
    result = { kind: 'finetune', top1: ft.top1, train: ft.train, val: ft.val };
  }
  const checksum = needsPretraining(cell) ? pretrainingChecksum(dir) : null;
  const record: CellRecord = { key: cellKey(cell), cell, ...(checksum ? { pretraining: checksum } : {}), seconds: Math.round((performance.now() - started) / 1000), result };
  mkdirSync(root, { recursive: true });
  appendFileSync(join(root, 'results.jsonl'), `${JSON.stringify(record)}\n`);
  return record;
}
