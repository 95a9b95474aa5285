import { expect } from 'vitest';
import type { ParityReport } from './compare-reference';

// What a parity report on tiny.safetensors must show, per part: shared by the cpu/wasm runs and the webgpu ones.

/** Every encoder/predictor output (≤ 1e-4) and gradient (≤ 1e-3) of the official code. */
export function expectForwardParity(report: ParityReport): void {
  expect(report.failures).toEqual([]);
  const names = Object.keys(report.errors);
  for (const name of ['out/patch_embed', 'out/encoder_full', 'out/target_full_ln', 'out/context0', 'out/context1', 'out/target0', 'out/target1', 'out/pred0', 'out/pred1', 'out/loss']) {
    expect(names).toContain(name);
    expect(report.errors[name]).toBeLessThanOrEqual(1e-4);
  }
  const gradients = names.filter((n) => n.startsWith('grad/'));
  // every trainable tensor: encoder 2 + 2·12 + 2 = 28, predictor 2 + 2 + 2·12 + 2 + 2 = 32
  expect(gradients.length).toBe(60);
  for (const name of gradients) expect(report.errors[name]).toBeLessThanOrEqual(1e-3);
}

/** Three official training steps: losses (≤ 1e-4) and every parameter of the three models (≤ 1e-3). */
export function expectTrainingParity(report: ParityReport): void {
  expect(report.failures).toEqual([]);
  expect(report.errors['train/losses']).toBeLessThanOrEqual(1e-4);
  const trained = Object.keys(report.errors).filter((n) => n.startsWith('train/'));
  expect(trained.length).toBe(1 + 29 + 33 + 29); // losses + encoder, predictor, target encoder state (tables included)
  for (const name of trained) expect(report.errors[name]).toBeLessThanOrEqual(1e-3);
}

/** The attentive probe: logits and cross-entropy (≤ 1e-4), every gradient (≤ 1e-3). */
export function expectProbeParity(report: ParityReport): void {
  expect(report.failures).toEqual([]);
  expect(report.errors['probe_out/logits']).toBeLessThanOrEqual(1e-4);
  expect(report.errors['probe_out/ce']).toBeLessThanOrEqual(1e-4);
  const gradients = Object.keys(report.errors).filter((n) => n.startsWith('probe_grad/'));
  expect(gradients.length).toBe(15); // 17 probe tensors less the unapplied xattn.proj weight and bias
  for (const name of gradients) expect(report.errors[name]).toBeLessThanOrEqual(1e-3);
}

/** The V-JEPA 2 fixture (fixtures/vjepa2/tiny.json): the RoPE encoder, predictor and loss (≤ 1e-4) and every gradient (≤ 1e-3). */
export function expectVjepa2ForwardParity(report: ParityReport): void {
  expect(report.failures).toEqual([]);
  for (const name of ['out/patch_embed', 'out/encoder_full', 'out/encoder_layers', 'out/context0', 'out/target0', 'out/pred0', 'out/loss']) {
    expect(report.errors[name], name).toBeLessThanOrEqual(1e-4);
  }
  const gradients = Object.keys(report.errors).filter((n) => n.startsWith('grad/'));
  // encoder 2 + 12·3 + 2 = 40; predictor 2 + 1 (mask token 0 only) + 12·2 + 2 + 2 = 31
  expect(gradients.length).toBe(71);
  for (const name of gradients) expect(report.errors[name], name).toBeLessThanOrEqual(1e-3);
}

/** The V-JEPA 2 probe: logits, cross-entropy and the out_layers logits (≤ 1e-4), every gradient; nothing unchecked. */
export function expectVjepa2ProbeParity(report: ParityReport): void {
  for (const name of ['probe_out/logits', 'probe_out/ce', 'probe_out/logits_layers']) expect(report.errors[name], name).toBeLessThanOrEqual(1e-4);
  const gradients = Object.keys(report.errors).filter((n) => n.startsWith('probe_grad/'));
  expect(gradients.length).toBe(1 + 12 + 3 * 12 + 2); // query, cross block, 3 blocks, linear
  expect(report.unchecked).toEqual([]);
  expect(report.ok).toBe(true);
}
