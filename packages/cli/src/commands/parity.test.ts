// `vjepa parity` on the V-JEPA 2 fixture with the weights of its Hugging Face folders and .pt files, as a user runs it.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fresh, repoRoot, vjepa } from '../run-cli.test-util';

describe('vjepa parity FIXTURE --weights --probe-weights', () => {
  it.each([
    ['fixtures/vjepa2/tiny-hf', 'fixtures/vjepa2/tiny-hf-classifier'],
    ['fixtures/vjepa2/tiny-pretrain.pt', 'fixtures/vjepa2/tiny-probe.pt'],
  ])('--weights %s --probe-weights %s: exit 0, every tensor within tolerance', (weights, probeWeights) => {
    const result = vjepa('parity', 'fixtures/vjepa2/tiny.json', '--weights', weights, '--probe-weights', probeWeights, '--backend', 'wasm', '--accelerator', 'none');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ file: 'fixtures/vjepa2/tiny.json', ok: true, failures: [] });
  });

  it('a truncated weights file: one error line naming it, exit 1', () => {
    const truncated = join(fresh(), 'truncated.pt');
    const bytes = readFileSync(join(repoRoot, 'fixtures/vjepa2/tiny-pretrain.pt'));
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const result = vjepa('parity', 'fixtures/vjepa2/tiny.json', '--weights', truncated, '--backend', 'wasm');
    expect(result.stderr).toMatch(/^vjepa: .*truncated\.pt/);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
