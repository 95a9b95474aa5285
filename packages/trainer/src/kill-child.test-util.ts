// Test helper run as a child process by kill.test.ts: a tiny V-JEPA run into argv[2] for argv[3] steps,
// resuming from the newest intact checkpoint when there is one. It reports what it is doing on stdout
// (`ready S`, `load I`, `file NAME`, `step K`, `done`) so the parent can SIGKILL it at chosen moments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend, type BatchSource } from '@vjepa/core';
import { latestGoodCheckpointDir } from './checkpoint';
import { runTraining } from './loop';
import { tinyRun } from './tiny-run.test-util';

const [out, stepsText, everyText] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);
await selectBackend('cpu');
const run = tinyRun();

/** The tiny run's source, with a wait in every load (as a decoder would take), so kills land in it. */
const inner = run.parts.source;
const source: BatchSource = {
  async next() {
    say(`load ${inner.index}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
    return inner.next();
  },
  getState: () => inner.getState(),
  setState: (state) => inner.setState(state),
};

const from = latestGoodCheckpointDir(join(out, 'checkpoints'), (message) => say(`warning ${message}`));
say(`ready ${from ? JSON.parse(readFileSync(join(from, 'state.json'), 'utf8')).step : 0}`);
const summary = await runTraining({
  ...run.parts,
  source,
  steps: Number(stepsText),
  checkpointEvery: Number(everyText),
  outDir: out,
  resume: from !== null,
  onProgress: (event) => say(`step ${event.step}`),
  afterCheckpointFile: (file) => say(`file ${file}`),
});
say(`done ${summary.startStep} ${summary.steps}`);
run.dispose();
