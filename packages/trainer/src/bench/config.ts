import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fail } from '@vjepa/core';

/** The model and clip sizes a step benchmark runs; every field has the bench configuration's value as default. */
export interface BenchConfig {
  /** The encoder (and its EMA target): width, depth, heads, MLP ratio. */
  encoder: { dim: number; depth: number; heads: number; mlpRatio: number };
  /** The predictor: width, depth, heads (default: the encoder's), MLP ratio. */
  predictor: { dim: number; depth: number; heads: number; mlpRatio: number };
  /** The clip and its token grid, as `MaskCollator`'s `grid`. */
  geometry: { frames: number; crop: number; patch: number; tubelet: number };
  /** Clips per batch. */
  batch: number;
}

/** A config file's content: every section and field optional. */
export interface BenchConfigInput {
  encoder?: Partial<BenchConfig['encoder']>;
  predictor?: Partial<BenchConfig['predictor']>;
  geometry?: Partial<BenchConfig['geometry']>;
  batch?: number;
}

/**
 * The bench configuration of the performance issue: encoder 192/6/3, predictor 96/4, 16 frames of
 * 64 × 64 in tubelets of 2 × 16 × 16 (128 tokens per clip), batch 4.
 */
export const BENCH_CONFIG: BenchConfig = {
  encoder: { dim: 192, depth: 6, heads: 3, mlpRatio: 4 },
  predictor: { dim: 96, depth: 4, heads: 3, mlpRatio: 4 },
  geometry: { frames: 16, crop: 64, patch: 16, tubelet: 2 },
  batch: 4,
};

const SECTIONS = ['encoder', 'predictor', 'geometry', 'batch'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function positiveInteger(argument: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) fail(argument, 'a positive integer', value);
  return value as number;
}

function positiveNumber(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(argument, 'a positive number', value);
  return value;
}

function section<T extends Record<string, number>>(where: string, value: unknown, defaults: T, ratios: readonly string[]): T {
  if (value === undefined) return { ...defaults };
  if (!isRecord(value)) fail(where, `a mapping with keys among ${Object.keys(defaults).join(', ')}`, value);
  for (const key of Object.keys(value)) {
    if (!(key in defaults)) fail(where, `only the keys ${Object.keys(defaults).join(', ')}`, key, 'Unknown keys are errors');
  }
  const out: Record<string, number> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const given = value[key] ?? fallback;
    out[key] = ratios.includes(key) ? positiveNumber(`${where}.${key}`, given) : positiveInteger(`${where}.${key}`, given);
  }
  return out as T;
}

/**
 * Fills a partial config with the bench defaults and checks it: unknown sections or keys, non-integer
 * sizes, heads that do not divide a width and clips that do not split into whole tubelets are errors.
 * An encoder whose heads are given but not the predictor's gives the predictor the same heads.
 *
 * @param where - how errors name the input (`--config bench.yaml`).
 */
export function resolveBenchConfig(input: unknown = {}, where = 'config'): BenchConfig {
  if (!isRecord(input)) fail(where, `a mapping with keys among ${SECTIONS.join(', ')}`, input);
  for (const key of Object.keys(input)) {
    if (!(SECTIONS as readonly string[]).includes(key)) fail(where, `only the keys ${SECTIONS.join(', ')}`, key, 'Unknown keys are errors');
  }
  const encoder = section(`${where}: encoder`, input.encoder, BENCH_CONFIG.encoder, ['mlpRatio']);
  const predictorDefaults = { ...BENCH_CONFIG.predictor, heads: encoder.heads };
  const predictor = section(`${where}: predictor`, input.predictor, predictorDefaults, ['mlpRatio']);
  const geometry = section(`${where}: geometry`, input.geometry, BENCH_CONFIG.geometry, []);
  const batch = positiveInteger(`${where}: batch`, input.batch ?? BENCH_CONFIG.batch);
  if (encoder.dim % encoder.heads !== 0) fail(`${where}: encoder.heads`, `a divisor of encoder.dim ${encoder.dim}`, encoder.heads);
  if (predictor.dim % predictor.heads !== 0) fail(`${where}: predictor.heads`, `a divisor of predictor.dim ${predictor.dim}`, predictor.heads);
  if (geometry.frames % geometry.tubelet !== 0) fail(`${where}: geometry.frames`, `a multiple of geometry.tubelet ${geometry.tubelet}`, geometry.frames);
  if (geometry.crop % geometry.patch !== 0) fail(`${where}: geometry.crop`, `a multiple of geometry.patch ${geometry.patch}`, geometry.crop);
  return { encoder, predictor, geometry, batch };
}

/**
 * Reads a bench config from a JSON (`.json`) or YAML file and resolves it (see {@link resolveBenchConfig}).
 *
 * @param argument - how errors name the file's origin (`--config` on the command line).
 */
export function readBenchConfig(file: string, argument = 'config'): BenchConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(argument, 'a readable JSON or YAML file', file, (error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    fail(`${argument} ${file}`, file.endsWith('.json') ? 'valid JSON' : 'valid YAML', (error as Error).message.split('\n')[0]);
  }
  return resolveBenchConfig(parsed ?? {}, `${argument} ${file}`);
}

/** Tokens per clip: (frames / tubelet) · (crop / patch)². */
export function tokensPerClip(geometry: BenchConfig['geometry']): number {
  return (geometry.frames / geometry.tubelet) * (geometry.crop / geometry.patch) ** 2;
}
