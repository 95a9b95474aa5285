// `vjepa probe` as a user runs it: --json leaves only the JSON summaries on stdout, the progress of the
// feature extraction and of the probe training goes to stderr; a model flag beside a checkpoint, a file
// given as a checkpoint folder and an --out directory are refused before any work.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { fresh, vjepaIn } from '../run-cli.test-util';

const dir = fresh();
const vjepa = (...args: string[]) => vjepaIn(dir, args);
const SMALL = ['--train', 'synthetic:tiny', '--val', 'synthetic:tiny', '--train-size', '32', '--val-size', '8', '--epochs', '2', '--backend', 'wasm'];

beforeAll(async () => {
  const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: '1' });
  await runTrain({ config, backend: 'wasm', out: join(dir, 'run'), log: () => undefined });
  writeFileSync(join(dir, 'x.safetensors'), 'not a folder');
  mkdirSync(join(dir, 'folder'));
}, 120_000);

describe('vjepa probe', () => {
  it('--json: stdout is the JSON summary alone; progress of the extraction and the training on stderr', () => {
    const result = vjepa('probe', '--checkpoint', 'run', ...SMALL, '--json');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ classes: 4, train: 32, val: 8, task: 'shape', checkpoint: 'run' });
    expect(result.stderr).toContain('features of the training clips: 16/32 (50 %)\nfeatures of the training clips: 32/32 (100 %)\n');
    expect(result.stderr).toContain('features of the validation clips: 8/8 (100 %)');
    expect(result.stderr).toContain("probe 'shape' (none): epoch 1/2, loss ");
    expect(result.stderr).toContain("probe 'shape' (none): epoch 2/2, loss ");
  }, 120_000);

  it.each([
    [['--checkpoint', 'run', '--model', 'base'], 'vjepa: --model: expected no value with a checkpoint (it has its own encoder); the model flags are for --checkpoint random or pixels, received "base"'],
    [['--checkpoint', 'run', '--depth', '4'], 'vjepa: --depth: expected no value with a checkpoint (it has its own encoder); the model flags are for --checkpoint random or pixels, received "4"'],
    [
      ['--checkpoint', 'x.safetensors'],
      'vjepa: --checkpoint: expected a vjepa train output folder, a checkpoint directory, a .pth.tar file, \'random\' or \'pixels\', received "x.safetensors" (a file that is not a .pth.tar; a vjepa train checkpoint is a folder)',
    ],
    [['--checkpoint', 'run', '--out', 'folder'], 'vjepa: --out: expected a file to write, received "folder" (a directory). Name a file inside it'],
  ])('%j: exit 2 before any work, naming the flag', (args, line) => {
    const result = vjepa('probe', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  }, 120_000);
});
