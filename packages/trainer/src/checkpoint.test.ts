import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Linear, selectBackend } from '@vjepa/core';
import {
  latestCheckpointDir,
  latestGoodCheckpointDir,
  loadCheckpoint,
  NoGoodCheckpointError,
  saveCheckpoint,
  verifyCheckpoint,
} from './checkpoint';

let layer: Linear;

/** Writes checkpoints of steps `steps` whose every weight equals the step, so a loaded one says which it is. */
function writeSteps(root: string, steps: number[], keep = 10): void {
  for (const step of steps) {
    tf.tidy(() => {
      layer.weight.assign(tf.fill(layer.weight.shape, step));
      layer.bias!.assign(tf.fill(layer.bias!.shape, step));
    });
    saveCheckpoint(root, { encoder: layer }, { step }, undefined, { keep });
  }
}

function loadedStep(root: string, warnings: string[] = []): number {
  tf.tidy(() => layer.weight.assign(tf.fill(layer.weight.shape, -1)));
  const loaded = loadCheckpoint(root, { encoder: layer }, { onWarning: (m) => warnings.push(m) });
  expect(layer.weight.dataSync()[5]).toBe(loaded.state.step);
  return loaded.state.step;
}

const fresh = () => mkdtempSync(join(tmpdir(), 'vjepa-ckpt-'));
const file = (root: string, step: number, name = 'encoder.safetensors') => join(root, `step-${String(step).padStart(8, '0')}`, name);

describe('checkpoint checksums, verification and fallback', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    layer = new Linear(16, 8);
  });
  afterAll(() => layer.dispose());

  it('records the size and SHA-256 of every tensor file in state.json', () => {
    const root = fresh();
    writeSteps(root, [1]);
    const state = JSON.parse(readFileSync(file(root, 1, 'state.json'), 'utf8'));
    const bytes = readFileSync(file(root, 1));
    expect(state.files).toEqual({
      'encoder.safetensors': { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    });
    expect(verifyCheckpoint(join(root, 'step-00000001'))).toEqual([]);
  });

  it('records fresh sums when a caller passes an older state.json back (as vjepa convert does)', () => {
    const root = fresh();
    writeSteps(root, [1]);
    const old = JSON.parse(readFileSync(file(root, 1, 'state.json'), 'utf8'));
    saveCheckpoint(root, { encoder: layer }, { ...old, step: 2, files: { 'x.safetensors': { bytes: 1, sha256: '00' } } });
    expect(verifyCheckpoint(join(root, 'step-00000002'))).toEqual([]);
    expect(Object.keys(JSON.parse(readFileSync(file(root, 2, 'state.json'), 'utf8')).files)).toEqual(['encoder.safetensors']);
  });

  it.each([
    ['truncated', (path: string) => truncateSync(path, 100), /encoder\.safetensors: 100 bytes, expected \d+ \(truncated or overwritten\)/],
    [
      'bit-flipped',
      (path: string) => {
        const bytes = readFileSync(path);
        bytes[bytes.length - 3] ^= 0x10; // one bit of one weight: the file still parses
        writeFileSync(path, bytes);
      },
      /encoder\.safetensors: SHA-256 differs from the one recorded/,
    ],
    ['missing a file', (path: string) => rmSync(path), /encoder\.safetensors: missing/],
    ['missing state.json', (path: string) => rmSync(join(path, '..', 'state.json')), /state\.json: missing/],
    ['with a truncated state.json', (path: string) => truncateSync(join(path, '..', 'state.json'), 20), /state\.json: unreadable/],
    [
      'with an edited but valid state.json',
      (path: string) => {
        const state = join(path, '..', 'state.json');
        writeFileSync(state, readFileSync(state, 'utf8').replace('"step": 4', '"step": 5'));
      },
      /state\.json: SHA-256 differs from the one recorded in it/,
    ],
  ])('resumes from the previous good checkpoint when the latest is %s, and says so', (_, damage, problem) => {
    const root = fresh();
    writeSteps(root, [2, 4]);
    damage(file(root, 4));
    expect(verifyCheckpoint(join(root, 'step-00000004')).join('; ')).toMatch(problem);
    const warnings: string[] = [];
    expect(loadedStep(root, warnings)).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/checkpoint .*step-00000004 is damaged \(.*\); using .*step-00000002 instead/);
    expect(warnings[0]).toMatch(problem);
  });

  it('falls back past several damaged checkpoints, and from a damaged latest.json', () => {
    const root = fresh();
    writeSteps(root, [1, 2, 3]);
    truncateSync(file(root, 3), 10);
    rmSync(file(root, 2));
    writeFileSync(join(root, 'latest.json'), '{"step": 3, "di');
    const warnings: string[] = [];
    expect(loadedStep(root, warnings)).toBe(1);
    expect(warnings).toHaveLength(2);
  });

  it('refuses a run whose every checkpoint is damaged, listing what is wrong with each', () => {
    const root = fresh();
    writeSteps(root, [1, 2]);
    truncateSync(file(root, 1), 10);
    truncateSync(file(root, 2), 10);
    expect(() => loadCheckpoint(root, { encoder: layer })).toThrow(NoGoodCheckpointError);
    expect(() => loadCheckpoint(root, { encoder: layer })).toThrow(
      /checkpoint: expected an intact checkpoint in .*, received none: .*step-00000002 \(encoder\.safetensors: 10 bytes.*step-00000001 \(encoder\.safetensors: 10 bytes/,
    );
  });

  it('refuses a damaged checkpoint directory named directly (no silent substitution)', () => {
    const root = fresh();
    writeSteps(root, [1, 2]);
    rmSync(file(root, 2));
    expect(() => loadCheckpoint(join(root, 'step-00000002'), { encoder: layer })).toThrow(
      /checkpoint: expected an intact checkpoint in .*step-00000002, received "encoder\.safetensors: missing"/,
    );
  });

  it('keeps the newest K checkpoints (default 3)', () => {
    const root = fresh();
    for (const step of [1, 2, 3, 4, 5]) {
      tf.tidy(() => layer.weight.assign(tf.fill(layer.weight.shape, step)));
      saveCheckpoint(root, { encoder: layer }, { step });
    }
    expect(readdirSync(root).sort()).toEqual(['latest.json', 'step-00000003', 'step-00000004', 'step-00000005']);
    writeSteps(root, [6, 7], 1);
    expect(readdirSync(root).sort()).toEqual(['latest.json', 'step-00000007']);
  });

  it('never deletes the only good checkpoint: not when the new one fails to verify, not for damaged later ones', () => {
    const root = fresh();
    writeSteps(root, [1, 2]);
    // A new checkpoint whose file is corrupted on its way to disk: it is written, but nothing is pruned.
    tf.tidy(() => layer.weight.assign(tf.fill(layer.weight.shape, 3)));
    saveCheckpoint(root, { encoder: layer }, { step: 3 }, undefined, {
      keep: 1,
      afterFile: (name) => {
        if (name === 'state.json') {
          const staging = readdirSync(root).find((d) => d.startsWith('.step-00000003'))!;
          truncateSync(join(root, staging, 'encoder.safetensors'), 50);
        }
      },
    });
    expect(readdirSync(root).filter((d) => d.startsWith('step-')).sort()).toEqual(['step-00000001', 'step-00000002', 'step-00000003']);
    expect(loadedStep(root)).toBe(2);

    // Resumed from step 2 (3 is damaged), the run writes step 3 again with keep 1: the damaged later
    // checkpoints are not counted, the one just written is kept, older ones go.
    writeSteps(root, [4], 10);
    truncateSync(file(root, 4), 10);
    rmSync(join(root, 'step-00000003'), { recursive: true });
    writeSteps(root, [3], 1);
    expect(readdirSync(root).filter((d) => d.startsWith('step-')).sort()).toEqual(['step-00000003', 'step-00000004']);
    expect(latestCheckpointDir(root)).toMatch(/step-00000003$/);
    expect(latestGoodCheckpointDir(root)).toMatch(/step-00000003$/);
  });

  it('removes the temporary directories of writers that died, and refuses bad options before writing', () => {
    const root = fresh();
    writeSteps(root, [1]);
    const stale = join(root, '.step-00000002.999999999.tmp');
    mkdirSync(stale);
    writeSteps(root, [2]);
    expect(existsSync(stale)).toBe(false);
    expect(() => saveCheckpoint(root, { encoder: layer }, { step: 3 }, undefined, { keep: 0 })).toThrow('options.keep: expected an integer ≥ 1, received 0');
    expect(() => saveCheckpoint(root, { encoder: layer }, { step: 3 }, undefined, { kept: 2 } as never)).toThrow(
      'options.kept: expected one of the keys keep, afterFile, received an unknown key "kept". Did you mean "keep"?',
    );
    expect(existsSync(join(root, 'step-00000003'))).toBe(false);
  });
});
