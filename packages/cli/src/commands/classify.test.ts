// `vjepa classify` as a user runs it, on the tiny V-JEPA 2 fixture: a lossless 16 × 16 video (at the model's
// size the 3-view crops are the frames themselves), the probabilities checked against the fixture's models
// run by hand, the Hugging Face folder and the official .pt pair giving the same answer, bad files refused.
import * as tf from '@tensorflow/tfjs-core';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsSync, selectBackend, selectGroup } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD, writeVideo } from '@vjepa/data';
import { vjepa2ModelConfigs, type Vjepa2JsonConfig } from '@vjepa/official';
import { AttentiveProbeV2 } from '@vjepa/probe';
import { VisionTransformerV2 } from '@vjepa/vit';
import { fresh, repoRoot, vjepaIn } from '../run-cli.test-util';

const dir = fresh();
const vjepa = (...args: string[]) => vjepaIn(dir, args);
const fixtures = join(repoRoot, 'fixtures/vjepa2');
const NUM_FRAMES = 9;
const SIZE = 16 * 16 * 3;
const frames = Uint8Array.from({ length: NUM_FRAMES * SIZE }, (_, i) => (i * 37 + (i >> 5) * 11) % 256);
const HF = ['--model', join(fixtures, 'tiny-hf-classifier')];
const PT = ['--checkpoint', join(fixtures, 'tiny-pretrain.pt'), '--probe-checkpoint', join(fixtures, 'tiny-probe.pt'), '--heads', '2', '--predictor-heads', '1', '--probe-heads', '2', '--resolution', '16', '--frames', '8'];
const PROTOCOL = ['--segments', '2', '--views', '3', '--frame-step', '1', '--backend', 'wasm'];

interface Line {
  video: string;
  top: { index: number; label: string; probability: number }[];
  segments: number[][];
  protocol: Record<string, unknown>;
}
const lines = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as Line);

/** The fixture's encoder and probe (tiny.safetensors, tiny.json), run by hand on the frames of `segments`: softmax of the probe on both segments' tokens. */
function expectedProbabilities(segments: number[][]): number[] {
  const reference = readSafetensorsSync(join(fixtures, 'tiny.safetensors')).tensors;
  const configs = vjepa2ModelConfigs(JSON.parse(readFileSync(join(fixtures, 'tiny.json'), 'utf8')) as Vjepa2JsonConfig);
  const encoder = new VisionTransformerV2(configs.encoder);
  encoder.loadStateDict(selectGroup(reference, 'encoder'));
  const probe = new AttentiveProbeV2(configs.probe!);
  probe.loadStateDict(selectGroup(reference, 'probe'));
  const out = tf.tidy(() => {
    const tokens = segments.map((indices) => {
      const clip = new Float32Array(indices.length * SIZE);
      indices.forEach((f, t) => {
        for (let j = 0; j < SIZE; j++) clip[t * SIZE + j] = (frames[f * SIZE + j] / 255 - IMAGENET_MEAN[j % 3]) / IMAGENET_STD[j % 3];
      });
      return encoder.apply(tf.tensor5d(clip, [1, 8, 16, 16, 3])); // [1, 64, 24]
    });
    return Array.from(tf.softmax(probe.apply(tf.concat(tokens, 1) as tf.Tensor3D)).dataSync()); // [5]
  });
  encoder.dispose();
  probe.dispose();
  return out;
}

beforeAll(async () => {
  await selectBackend('cpu');
  await writeVideo(join(dir, 'clip.mkv'), frames, NUM_FRAMES, 16, 16, { codec: 'ffv1' });
  copyFileSync(join(dir, 'clip.mkv'), join(dir, 'again.mkv'));
  const probe = readFileSync(join(fixtures, 'tiny-probe.pt'));
  writeFileSync(join(dir, 'truncated.pt'), probe.subarray(0, probe.length >> 1));
}, 60_000);

describe('vjepa classify', () => {
  it('--model (Hugging Face folder) --json: the probabilities of the official probe on both segments, 6 progress lines', () => {
    const result = vjepa('classify', 'clip.mkv', 'again.mkv', ...HF, ...PROTOCOL, '--json', '--top-k', '5');
    expect(result.stderr.split('\n').filter(Boolean).map((l) => l.replace(/\d+ ms$/, 'ms'))).toEqual(
      ['clip.mkv', 'again.mkv'].flatMap((v) => [1, 2, 3].flatMap((view) => [1, 2].map((s) => `${v}: clip ${(view - 1) * 2 + s}/6 (segment ${s}, view ${view}) ms`))),
    );
    expect(result.status).toBe(0);
    const [first, second] = lines(result.stdout);
    expect(first.video).toBe('clip.mkv');
    expect(first.protocol).toEqual({ resolution: 16, frames: 8, frameStep: 1, segments: 2, views: 3, outLayers: null });
    const expected = expectedProbabilities(first.segments);
    const order = [0, 1, 2, 3, 4].sort((a, b) => expected[b] - expected[a]);
    expect(first.top.map((p) => p.index)).toEqual(order);
    expect(first.top.map((p) => p.label)).toEqual(order.map((i) => `class_${i}`));
    first.top.forEach((p) => expect(Math.abs(p.probability - expected[p.index])).toBeLessThan(1e-5));
    expect(second.top).toEqual(first.top);
  });

  it('--checkpoint .pt --probe-checkpoint .pt: the same classes and probabilities as the folder; the table', () => {
    const hf = lines(vjepa('classify', 'clip.mkv', ...HF, ...PROTOCOL, '--json').stdout)[0];
    const pt = vjepa('classify', 'clip.mkv', ...PT, ...PROTOCOL, '--json');
    expect(pt.status).toBe(0);
    const line = lines(pt.stdout)[0];
    expect(line.top.map((p) => p.index)).toEqual(hf.top.map((p) => p.index));
    line.top.forEach((p, i) => expect(p.probability).toBeCloseTo(hf.top[i].probability, 6));
    expect(line.top[0].label).toBe(`class ${hf.top[0].index}`); // a probe .pt has no names
    const table = vjepa('classify', 'clip.mkv', ...HF, ...PROTOCOL, '--top-k', '2');
    expect(table.status).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^clip\.mkv: 2 segment\(s\) × 3 view\(s\) of 8×1 frames at 16 px, \d+ ms$/);
    expect(rows.slice(1)).toEqual(hf.top.slice(0, 2).map((p, i) => `   ${i + 1}  ${(100 * p.probability).toFixed(2).padStart(6)} %  ${p.label}`));
  });

  it('--hf-mode: one clip, one view', () => {
    const result = vjepa('classify', 'clip.mkv', ...HF, '--hf-mode', '--frame-step', '1', '--backend', 'wasm', '--json');
    expect(result.status).toBe(0);
    expect(lines(result.stdout)[0].protocol).toMatchObject({ segments: 1, views: 1 });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--checkpoint', 'truncated.pt'], 1, /^vjepa: .*truncated\.pt/],
    [['--model', join(fixtures, 'tiny-hf')], 1, /^vjepa: .*tiny-hf: expected a V-JEPA 2 classifier .*received an encoder only\. Pass the probe too/],
    [['--checkpoint', join(fixtures, 'tiny-pretrain.pt'), '--probe-checkpoint', 'truncated.pt', '--heads', '2', '--predictor-heads', '1'], 1, /^vjepa: .*truncated\.pt/],
    [[], 2, /^vjepa: --model \/ --checkpoint: expected one of them/],
    [[...HF, '--top-k', '0'], 2, /^vjepa: --top-k: expected an integer ≥ 1, received "0"/],
    [[...HF, '--frames', '7'], 2, /^vjepa: options\.frames: expected a multiple of the tubelet 2, received 7/],
  ])('%j: one error line, exit %i', (args, status, line) => {
    const result = vjepa('classify', 'clip.mkv', ...args, '--backend', 'wasm');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(line);
    expect(result.status).toBe(status);
  });
});
