// `vjepa train` and an --out that holds a run, as a user runs it: refused without --resume (exit 2, the
// metrics untouched), --resume-if-exists starts or resumes, a resume says its step and leaves
// metrics.jsonl with every step once (train-resume.test.ts: fallbacks, --steps, --force).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fresh, metricSteps, TINY, vjepa } from './run-cli.test-util';


describe('vjepa train --out <a folder holding a run>', () => {
  const out = join(fresh(), 'run');

  it('--resume-if-exists on a fresh --out starts the run', () => {
    const result = vjepa('train', ...TINY, '--steps', '2', '--out', out, '--resume-if-exists');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('resumed from');
    expect(metricSteps(out)).toEqual([0, 1]);
  }, 120_000);

  it('without --resume: exit 2, one line saying what to do, nothing touched', () => {
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const result = vjepa('train', ...TINY, '--steps', '2', '--out', out);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `vjepa: --out: expected a folder without a run, received "${out}" (it holds a run: checkpoints up to step-00000002, metrics.jsonl). ` +
        'Continue it with --resume (or --resume-if-exists), start it over with --force, or use another --out\n',
    );
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
  }, 120_000);

  it('--resume-if-exists on a run: resumes, says from which step, each step once in metrics.jsonl', () => {
    const result = vjepa('train', ...TINY, '--steps', '4', '--checkpoint-every', '1', '--out', out, '--resume-if-exists');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`resumed from ${join(out, 'checkpoints', 'step-00000002')} at step 2 of 4\n`);
    expect(metricSteps(out)).toEqual([0, 1, 2, 3]);
  }, 120_000);
});
