/**
 * One cell of the evidence table: pretrain a ViT (192 wide, 6 deep) on the embedded synthetic videos with
 * a recipe, then train attentive probes on its frozen features for the shape task and the motion-direction
 * task. `random` skips pretraining and probes the same architecture untrained.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeSource } from '@vjepa/official';
import { TRAIN_PRESETS, resolveRunConfig, runTrain, savedRunConfig, type RunConfig, type TrainFlags } from '@vjepa/trainer';
import type { WhiteningKind } from '@vjepa/probe';
import type { MaskGeneratorConfig } from '@vjepa/masking';
import { officialRecipe, type TrainingRecipe } from '@vjepa/trainer';

export const TASKS = ['shape', 'direction'] as const;

/** The probe tasks of a data set: appearance then motion (`digit` and `direction` on Moving MNIST). */
export function tasksOf(data: string): string[] {
  return data === 'synthetic:mnist' ? ['digit', 'direction'] : [...TASKS];
}

/** Chance top-1 of each task: 1 / classes. */
export const CHANCE: Record<string, number> = { shape: 1 / 4, direction: 1 / 8, digit: 1 / 10 };

/**
 * The benchmarks of issue 11: the same objects and motions over three backgrounds, and Moving MNIST
 * (pass one as `--data`; `synthetic` is the old `shapes` set).
 */
export const BENCHMARKS = ['synthetic:motion-flat', 'synthetic:motion-noise', 'synthetic:motion-static', 'synthetic:mnist'] as const;

/** One pretraining recipe of the table: flags and a config base on top of {@link modelFlags}. */
export interface VariantRecipe {
  /** One line for the table. */
  description: string;
  flags?: Partial<TrainFlags>;
  base?: Partial<RunConfig>;
  /** `true` for the untrained encoder (no pretraining). */
  untrained?: boolean;
  /** `true` for the raw-pixel baseline: tubelet pixels straight into the probe, no encoder. */
  rawPixels?: boolean;
  /** The encoders probed by default (both unless said). */
  encoders?: ('target' | 'online')[];
}

/** The full-clip tubes of the official masks, the same shape with blocks spanning only part of the clip. */
const partialTime = (temporalScale: [number, number]): MaskGeneratorConfig[] => [
  { type: 'multiblock', spatialScale: [0.15, 0.15], temporalScale, aspectRatio: [0.75, 1.5], numBlocks: 8 },
  { type: 'multiblock', spatialScale: [0.7, 0.7], temporalScale, aspectRatio: [0.75, 1.5], numBlocks: 2 },
];

/** The time-gap masks (the `small` preset before issue 11): whole frames masked, two spans of 12.5–25 % of the clip each. */
const timeGaps: MaskGeneratorConfig[] = [
  { type: 'multiblock', spatialScale: [1, 1], temporalScale: [0.125, 0.25], aspectRatio: [1, 1], numBlocks: 2 },
];

/** The official optimisation for 350 steps with some values changed (resized if a run asks for another length). */
const officialWith = (changes: Partial<TrainingRecipe>): Partial<RunConfig> => ({ optimization: { ...officialRecipe(350), ...changes, steps: 350 } });

/**
 * Every recipe measured: the four of the main table, then the other attempts at a small-model recipe
 * (kept so that the table of what was tried can be reproduced).
 */
export const VARIANTS: Record<string, VariantRecipe> = {
  official: { description: 'the released recipe (full-clip multiblock tubes, EMA 0.998 → 1), scaled to the run' },
  small: { description: '`vjepa train --preset small`: the official recipe with future-prediction masks (the `future` variant)', base: TRAIN_PRESETS.small },
  'time-gaps': { description: 'the `small` preset before issue 11: the official recipe with time-gap masks (whole frames masked, two spans of 12.5–25 % of the clip)', base: { mask: timeGaps } },
  pixels: { description: 'official masks, the predictor regresses normalised pixels (`--target pixels`)', flags: { target: 'pixels' }, encoders: ['online'] },
  random: { description: 'no pretraining: the untrained encoder', untrained: true },
  'raw-pixels': {
    description: 'no encoder: the tubelet pixels straight into the same probe through the PCA whitening, 192 leading axes (`vjepa probe --checkpoint pixels --whiten pca --whiten-components 192`)',
    untrained: true,
    rawPixels: true,
  },
  'partial-time': { description: 'official block sizes spanning 25–50 % of the clip in time', base: { mask: partialTime([0.25, 0.5]) } },
  ema099: { description: 'official masks, EMA 0.99 → 1', base: officialWith({ ema: [0.99, 1] }) },
  'time-slices': {
    description: 'whole frames masked: one span of 25–50 % of the clip, the rest is context',
    base: { mask: [{ type: 'multiblock', spatialScale: [1, 1], temporalScale: [0.25, 0.5], aspectRatio: [1, 1], numBlocks: 1 }] },
  },
  'time-gaps-slow-target': {
    description: 'time gaps, and a target that stays near its initialisation (EMA 0.9995 → 1)',
    base: { mask: timeGaps, ...officialWith({ ema: [0.9995, 1] }) },
  },
  'time-gaps-l2': {
    description: 'time gaps, squared error (official `loss_exp` 2): the hard tokens weigh more than the many easy ones',
    base: { mask: timeGaps, ...officialWith({ lossExp: 2 }) },
  },
  // issue 11: the trainer options, each alone on the official recipe, then combined
  'frozen-teacher': { description: 'official masks, the target encoder frozen at its random init (`--frozen-teacher`)', flags: { frozenTeacher: true }, encoders: ['online'] },
  // issue 11's regularisers took their statistics over every token row (`--reg-samples tokens`); kept as measured then
  sigreg: { description: 'official recipe + SIGReg λ 0.05 over the context token rows (`--regularizer sigreg --reg-weight 0.05 --reg-samples tokens`)', flags: { regularizer: 'sigreg', regWeight: '0.05', regSamples: 'tokens' } },
  'sigreg-frozen': {
    description: 'SIGReg λ 0.05 over token rows with a frozen random teacher (LeJEPA-style: the regulariser, not the EMA, prevents collapse)',
    flags: { regularizer: 'sigreg', regWeight: '0.05', regSamples: 'tokens', frozenTeacher: true },
  },
  vicreg: { description: 'official recipe + VICReg variance/covariance λ 0.05 over token rows (`--regularizer vicreg --reg-weight 0.05 --reg-samples tokens`)', flags: { regularizer: 'vicreg', regWeight: '0.05', regSamples: 'tokens' } },
  // issue 21: the same regularisers across samples (each clip's mean-pooled embedding) at the published weights
  'vicreg-samples': { description: 'official recipe + VICReg across clips at the published 25 : 25 : 1 (`--regularizer vicreg`)', flags: { regularizer: 'vicreg' } },
  'sigreg-samples': { description: "official recipe + SIGReg across clips at LeJEPA's λ 0.05 (`--regularizer sigreg`)", flags: { regularizer: 'sigreg' } },
  // issue 21's decision: the token-row statistics at the same published weights, against the two above
  'vicreg-tokens': { description: 'official recipe + VICReg over the context token rows at the published 25 : 25 : 1 (`--regularizer vicreg --reg-samples tokens`)', flags: { regularizer: 'vicreg', regSamples: 'tokens' } },
  'sigreg-tokens': { description: "official recipe + SIGReg over the context token rows at LeJEPA's λ 0.05 (`--regularizer sigreg --reg-samples tokens`)", flags: { regularizer: 'sigreg', regSamples: 'tokens' } },
  future: { description: 'future prediction: context = the first half of the clip, target ≈ 90 % of the second (`--masks future`)', flags: { masks: 'future' } },
  'change-weighted': { description: 'official masks, loss weighted toward changing tokens α 0.5 (`--change-weighting 0.5`)', flags: { changeWeighting: '0.5' } },
  'future-frozen': {
    description: 'future masks with a frozen random teacher (`--masks future --frozen-teacher`): the student must predict where the object goes',
    flags: { masks: 'future', frozenTeacher: true },
    encoders: ['online'],
  },
  'future-frozen-shallow': {
    description: 'future masks, a frozen random teacher and a one-block predictor (`--pred-depth 1`): the encoder, not the predictor, has to carry the motion',
    flags: { masks: 'future', frozenTeacher: true, predDepth: '1' },
    encoders: ['online'],
  },
  'future-pixels-shallow': {
    description: 'future masks, the predictor (one block) regresses the normalised pixels of the future tubelets',
    flags: { masks: 'future', target: 'pixels', predDepth: '1' },
    encoders: ['online'],
  },
  'future-frozen-lr4': {
    description: 'future masks, a frozen random teacher, 4 × the official learning rate (peak 2.5e-3)',
    flags: { masks: 'future', frozenTeacher: true },
    base: officialWith({ startLr: 8e-4, lr: 2.5e-3 }),
    encoders: ['online'],
  },
  'frozen-lr4': {
    description: 'official masks, a frozen random teacher, 4 × the official learning rate (peak 2.5e-3)',
    flags: { frozenTeacher: true },
    base: officialWith({ startLr: 8e-4, lr: 2.5e-3 }),
    encoders: ['online'],
  },
  'future-sigreg': {
    description: 'future masks + SIGReg λ 0.05 + change-weighted loss α 0.5',
    flags: { masks: 'future', regularizer: 'sigreg', regWeight: '0.05', regSamples: 'tokens', changeWeighting: '0.5' },
  },
};
export type Variant = keyof typeof VARIANTS & string;

export interface ExperimentOptions {
  variant: Variant;
  seed: number;
  steps: number;
  out: string;
  /** Clips of the probe's train / val sets. */
  trainSize?: number;
  valSize?: number;
  /** Which encoders of a pretrained run to probe (default the variant's, else both); `[]` pretrains only. */
  encoders?: ('target' | 'online')[];
  /** Pretraining and probe data (default `synthetic`, the old shapes set; see {@link BENCHMARKS}). */
  data?: string;
  /** Whitenings of the probe, one probe each on the same features (default `none` only). */
  whiten?: WhiteningKind[];
  /** Encoder outputs probed (`vjepa probe --layers`; default the final norm). */
  layers?: (number | 'final')[];
  /** Probe learning rates to choose from on held-out training clips (`vjepa probe --lr-grid`; default a fixed 3e-3). */
  lrGrid?: number[];
  log?: (line: string) => void;
}

export interface ResultRow {
  variant: string;
  seed: number;
  encoder: 'target' | 'online' | 'random' | 'pixels';
  task: string;
  top1: number;
  /** The probe's whitening (absent: none). */
  whiten?: WhiteningKind;
  /** The pretraining and probe data (absent: `synthetic`). */
  data?: string;
  /** Mean pretraining loss over the first and the last 10 % of steps (absent for `random`). */
  lossStart?: number;
  lossEnd?: number;
  steps: number;
  seconds: number;
}

/** The encoder every cell shares: ViT 192/6/3 on 16 × 64 × 64 clips, batch 8, predictor 96/4. */
export function modelFlags(seed: number, steps: number): TrainFlags {
  return { model: 'tiny', depth: '6', crop: '64', frames: '16', batchSize: '8', predDim: '96', predDepth: '4', steps: String(steps), seed: String(seed) };
}

/** Whether `dir` holds a finished pretraining of `config` (same settings, every step logged). */
function finishedRun(dir: string, config: RunConfig): boolean {
  const saved = savedRunConfig(dir);
  if (!saved) return false;
  // Key order does not matter (a config built from a preset lists its keys in another order).
  const sorted = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sorted)
      : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]))
        : value;
  const same = (c: RunConfig) => JSON.stringify(sorted({ ...c, preset: undefined }));
  return same(saved) === same(config) && readLosses(dir).length === config.optimization.steps;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Steps in a tenth of a run of `length` steps (at least one). */
const tenthOf = (length: number) => Math.max(1, Math.floor(length / 10));

/** Command-line flags `--key=value` (and bare `--flag`, read as `'true'`) as a record. */
export function parseFlags(argv: string[]): Record<string, string> {
  return Object.fromEntries(
    argv.filter((a) => a.startsWith('--')).map((a) => {
      const [key, value = 'true'] = a.replace(/^--/, '').split('=');
      return [key, value];
    }),
  );
}

function readLosses(dir: string): number[] {
  if (!existsSync(join(dir, 'metrics.jsonl'))) return [];
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => (JSON.parse(line) as { loss: number }).loss);
}

/** The loss at the first step, then its mean over each tenth of the run, from `dir/metrics.jsonl`. */
export function lossCurve(dir: string): number[] {
  const losses = readLosses(dir);
  if (!losses.length) return [];
  const tenth = tenthOf(losses.length);
  return [losses[0], ...Array.from({ length: Math.ceil(losses.length / tenth) }, (_, k) => mean(losses.slice(k * tenth, (k + 1) * tenth)))];
}

/** The steps {@link lossCurve}'s values stand for: 1, then the middle step of each tenth of a run of `length` steps. */
export function lossCurveSteps(length: number): number[] {
  if (length < 1) return [];
  const tenth = tenthOf(length);
  return [1, ...Array.from({ length: Math.ceil(length / tenth) }, (_, k) => Math.min(length, k * tenth + (Math.min(tenth, length - k * tenth) + 1) / 2))];
}

/** Mean pretraining loss over the first and the last 10 % of the steps in `dir/metrics.jsonl`. */
export function lossSummary(dir: string): { lossStart: number; lossEnd: number } {
  return summarizeLosses(readLosses(dir));
}

function summarizeLosses(losses: number[]): { lossStart: number; lossEnd: number } {
  const tenth = tenthOf(losses.length);
  return { lossStart: mean(losses.slice(0, tenth)), lossEnd: mean(losses.slice(-tenth)) };
}

/**
 * The results file of a run: `results.json`, or `results-ENCODER.json` when a process probes one encoder of
 * the run only (two such processes then never write the same file; {@link collectResults} reads them all).
 */
const resultsFile = (encoders?: string[]) => (encoders?.length === 1 ? `results-${encoders[0]}.json` : 'results.json');

/** The results files present in a run folder (`results.json`, `results-ENCODER.json`), sorted. */
const resultsFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => /^results(-[a-z]+)?\.json$/.test(f)).sort() : []);

/** Writes the results file of a run: `rows`, plus earlier rows of the run for encoders or tasks not measured now. */
function writeResults(out: string, variant: string, seed: number, rows: ResultRow[], encoders?: string[]): void {
  const key = (r: ResultRow) => `${r.encoder}|${r.task}|${r.whiten ?? 'none'}`;
  const measured = new Set(rows.map(key));
  const file = join(out, `${variant}-seed${seed}`, resultsFile(encoders));
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ResultRow[]) : [];
  // rows of another data set or run length (an earlier run in the same folder) are stale, not kept
  const same = (r: ResultRow) => rows.every((now) => (now.data ?? '') === (r.data ?? '') && now.steps === r.steps);
  const kept = earlier.filter((r) => !measured.has(key(r)) && same(r));
  writeFileSync(file, `${JSON.stringify([...kept, ...rows], null, 2)}\n`);
}

export async function runExperiment(options: ExperimentOptions): Promise<ResultRow[]> {
  const { variant, seed, steps } = options;
  const log = options.log ?? console.log;
  const dir = join(options.out, `${variant}-seed${seed}`);
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const rows: ResultRow[] = [];
  // The official probe schedule (lr 1e-3, 20 epochs) is sized for hundreds of thousands of clips; on 1,024
  // it underfits (measured: training accuracy 32–37 %, validation at chance for every encoder), so the
  // probes here train longer and faster. Same settings for every encoder.
  const data = options.data ?? 'synthetic';
  const probeCommon = {
    train: data,
    val: data,
    labels: tasksOf(data),
    seed,
    trainSize: options.trainSize,
    valSize: options.valSize,
    epochs: 40,
    lr: 3e-3,
    whiten: options.whiten,
    lrGrid: options.lrGrid,
    log,
  };
  const tags = (whiten: WhiteningKind) => ({ ...(whiten === 'none' ? {} : { whiten }), ...(data === 'synthetic' ? {} : { data }) });
  const seconds = () => (performance.now() - started) / 1000;
  const recipe = VARIANTS[variant];
  if (recipe === undefined) throw new Error(`variant: expected one of ${Object.keys(VARIANTS).join(', ')}, received ${variant}`);
  if (recipe.untrained) {
    // Raw pixels are 1,536 channels a token: a probe that wide needs ≈ 64 × the FLOPs (≈ 40 min a task by that count), so they are read
    // through the PCA whitening only, keeping the 192 leading axes (the encoders' width).
    const rawPixelsRead = { whiten: ['pca' as const], whitenComponents: 192 };
    if (recipe.rawPixels && options.whiten?.some((kind) => kind !== 'pca')) log('raw pixels: probed through pca whitening to 192 axes only (the full-width probe is too slow)');
    const summaries = await probeSource({
      ...probeCommon,
      ...(recipe.rawPixels ? rawPixelsRead : { layers: options.layers }),
      checkpoint: recipe.rawPixels ? 'pixels' : 'random',
      modelFlags: modelFlags(seed, steps),
      out: join(dir, 'probe.safetensors'),
    });
    for (const s of summaries) rows.push({ variant, seed, encoder: recipe.rawPixels ? 'pixels' : 'random', task: s.task, top1: s.top1, ...tags(s.whiten), steps: 0, seconds: seconds() });
    writeResults(options.out, variant, seed, rows);
  } else {
    const config = resolveRunConfig({ ...modelFlags(seed, steps), data, ...recipe.flags }, recipe.base ?? {});
    if (finishedRun(dir, config)) log(`reusing the finished pretraining in ${dir}`);
    else {
      // a new pretraining: the probe results of an earlier one in this folder no longer apply
      for (const f of resultsFiles(dir)) rmSync(join(dir, f));
      await runTrain({ config, out: dir, log, checkpointEvery: steps, force: true });
    }
    const losses = lossSummary(dir);
    const encoders = options.encoders ?? recipe.encoders ?? (['target', 'online'] as const);
    for (const encoder of encoders) {
      const summaries = await probeSource({ ...probeCommon, layers: options.layers, checkpoint: dir, encoder, out: join(dir, `probe-${encoder}.safetensors`) });
      for (const s of summaries) rows.push({ variant, seed, encoder, task: s.task, top1: s.top1, ...tags(s.whiten), ...losses, steps, seconds: seconds() });
      writeResults(options.out, variant, seed, rows, options.encoders);
    }
  }
  return rows;
}

/**
 * The rows of every run folder under `out`: its `results.json` and `results-ENCODER.json`, or, for a run stopped before writing it, the
 * probes' JSON lines in its `log.txt` (each probe prints one when it finishes).
 */
export function collectResults(out: string, dirs: string[]): ResultRow[] {
  return dirs.flatMap((d) => {
    const dir = join(out, d);
    const files = resultsFiles(dir);
    if (files.length) return files.flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ResultRow[]);
    if (!existsSync(join(dir, 'log.txt'))) return [];
    const match = /^(.*)-seed(\d+)$/.exec(d);
    if (!match) return [];
    const losses = readLosses(dir);
    const summary = losses.length ? summarizeLosses(losses) : {};
    return readFileSync(join(dir, 'log.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"top1"'))
      .map((line) => JSON.parse(line) as { top1: number; task: string; encoder: ResultRow['encoder']; whiten?: WhiteningKind })
      .map((p) => ({
        variant: match[1],
        seed: Number(match[2]),
        encoder: p.encoder,
        task: p.task,
        top1: p.top1,
        ...(p.whiten && p.whiten !== 'none' ? { whiten: p.whiten } : {}),
        ...summary,
        steps: losses.length,
        seconds: 0,
      }));
  });
}

/** The evidence table: top-1 mean ± standard deviation over seeds (sample, n − 1; 0 for one seed), per variant/encoder and task. */
export function formatTable(rows: ResultRow[]): string {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = `${row.variant}|${row.encoder}${row.whiten ? ` + ${row.whiten}` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const tasks = [...new Set(rows.map((r) => r.task))];
  const cell = (values: number[]) => {
    if (!values.length) return '–';
    const mu = mean(values);
    const spread = values.length > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mu) ** 2, 0) / (values.length - 1)) : 0;
    return `${(100 * mean(values)).toFixed(1)} ± ${(100 * spread).toFixed(1)}`;
  };
  const lines = [
    `| pretraining | encoder | seeds | ${tasks.map((task) => `${task} top-1 %`).join(' | ')} | loss first → last 10 % |`,
    `|---|---|---|${tasks.map(() => '---|').join('')}---|`,
  ];
  for (const [key, group] of groups) {
    const [variant, encoder] = key.split('|');
    const seeds = [...new Set(group.map((r) => r.seed))].sort().join(', ');
    const by = (task: string) => group.filter((r) => r.task === task).map((r) => r.top1);
    const losses = group.filter((r) => r.lossStart !== undefined && r.task === tasks[0]);
    const loss = losses.length
      ? `${mean(losses.map((r) => r.lossStart!)).toFixed(3)} → ${mean(losses.map((r) => r.lossEnd!)).toFixed(3)}`
      : '–';
    lines.push(`| ${variant} | ${encoder} | ${seeds} | ${tasks.map((task) => `${cell(by(task))} | `).join('')}${loss} |`);
  }
  return lines.join('\n');
}

/** One row per pretrained run: the first loss, then the mean loss of each tenth of the run. */
export function formatLossCurves(out: string, dirs: string[]): string {
  const rows = dirs.map((d) => ({ d, curve: lossCurve(join(out, d)) })).filter((r) => r.curve.length > 1);
  if (!rows.length) return '';
  const width = Math.max(...rows.map((r) => r.curve.length));
  const head = ['run', 'step 1', ...Array.from({ length: width - 1 }, (_, k) => `tenth ${k + 1}`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const { d, curve } of rows) lines.push(`| ${d} | ${curve.map((v) => v.toFixed(3)).join(' | ')} |`);
  return lines.join('\n');
}

/** One line per pretrained variant and encoder: its mean top-1 minus the untrained encoder's, per task, in points. */
export function formatComparison(rows: ResultRow[]): string {
  const top1 = (filter: (r: ResultRow) => boolean, task: string) => {
    const values = rows.filter((r) => filter(r) && r.task === task).map((r) => r.top1);
    return values.length ? mean(values) : undefined;
  };
  const tasks = [...new Set(rows.map((r) => r.task))];
  const groups = [...new Set(rows.filter((r) => r.encoder !== 'random').map((r) => `${r.variant}|${r.encoder}|${r.whiten ?? ''}`))];
  return groups
    .map((key) => {
      const [variant, encoder, whiten] = key.split('|');
      const sameWhitening = (r: ResultRow) => (r.whiten ?? '') === whiten;
      const parts = tasks.map((task) => {
        const trained = top1((r) => r.variant === variant && r.encoder === encoder && sameWhitening(r), task);
        const untrained = top1((r) => r.encoder === 'random' && sameWhitening(r), task);
        if (trained === undefined || untrained === undefined) return `${task} –`;
        const points = 100 * (trained - untrained);
        return `${task} ${points >= 0 ? '+' : ''}${points.toFixed(1)}`;
      });
      return `${variant} (${encoder}${whiten ? ` + ${whiten}` : ''}) vs untrained${whiten ? ` + ${whiten}` : ''}, points: ${parts.join(', ')}`;
    })
    .join('\n');
}

/** The accuracy bars of the PNG: mean top-1 over seeds per task and encoder (`variant/encoder[+whiten]`). */
export function accuracyBars(rows: ResultRow[]): { group: string; name: string; value: number; chance?: number }[] {
  const nameOf = (r: ResultRow) => `${r.encoder === 'random' ? 'untrained' : r.encoder === 'pixels' ? 'raw-pixels' : `${r.variant}/${r.encoder}`}${r.whiten ? `+${r.whiten}` : ''}`;
  const keys = [...new Set(rows.map((r) => `${r.task}|${nameOf(r)}`))];
  return keys.map((key) => {
    const [task, name] = key.split('|');
    const values = rows.filter((r) => r.task === task && nameOf(r) === name).map((r) => r.top1);
    return { group: task, name, value: mean(values), chance: CHANCE[task] };
  });
}

/** One line of the main job's summary: an encoder's mean top-1 over seeds on a task, and the task's chance. */
export interface SummaryLine {
  encoder: 'pretrained-target' | 'pretrained-online' | 'untrained';
  task: string;
  top1: number;
  chance: number;
}

/**
 * The main job's closing lines: per encoder and task, the mean top-1 over seeds of the one pretrained
 * variant's target and online encoders and of the untrained one, for one whitening.
 *
 * @throws Error when the rows hold more than one pretrained variant or whitening (the names would be ambiguous).
 */
export function summaryLines(rows: ResultRow[]): SummaryLine[] {
  const kept = rows.filter((r) => r.encoder === 'target' || r.encoder === 'online' || r.encoder === 'random');
  const pretrained = [...new Set(kept.filter((r) => r.encoder !== 'random').map((r) => r.variant))];
  const whitenings = [...new Set(kept.map((r) => r.whiten ?? 'none'))];
  if (pretrained.length > 1) throw new Error(`rows: expected one pretrained variant, received ${pretrained.join(', ')}`);
  if (whitenings.length > 1) throw new Error(`rows: expected one whitening, received ${whitenings.join(', ')}`);
  const name = (r: ResultRow): SummaryLine['encoder'] => (r.encoder === 'random' ? 'untrained' : r.encoder === 'target' ? 'pretrained-target' : 'pretrained-online');
  const order: SummaryLine['encoder'][] = ['pretrained-target', 'pretrained-online', 'untrained'];
  const tasks = [...new Set(kept.map((r) => r.task))];
  return order.flatMap((encoder) =>
    tasks.flatMap((task) => {
      const values = kept.filter((r) => name(r) === encoder && r.task === task).map((r) => r.top1);
      return values.length ? [{ encoder, task, top1: Number(mean(values).toFixed(4)), chance: Number((CHANCE[task] ?? Number.NaN).toFixed(4)) }] : [];
    }),
  );
}
