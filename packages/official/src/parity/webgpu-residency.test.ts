import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { watchGpuResidency } from '@vjepa/core';
import { createTrainStep } from '@vjepa/trainer';
import { loadReference } from './reference';
import { buildModels, generatorCount, referenceIndices, referenceVideo } from './reference-models';
import { webgpuForTests } from './swiftshader.test-util';

const tiny = fileURLToPath(new URL('../../../../fixtures/reference/tiny.safetensors', import.meta.url));
const gpu = await webgpuForTests();

describe.skipIf('skip' in gpu)(`a V-JEPA step on webgpu (${'skip' in gpu ? gpu.skip : gpu.adapter})`, () => {
  it('stays on the GPU: no kernel computes on the CPU and nothing is read back before its last kernel', async () => {
    const reference = loadReference(tiny);
    const models = buildModels(reference);
    const video = referenceVideo(reference);
    const masks = Array.from({ length: generatorCount(reference) }, (_, i) => ({
      context: referenceIndices(reference, `masks/enc${i}`),
      target: referenceIndices(reference, `masks/pred${i}`),
    }));
    const step = createTrainStep(models, { startLr: 1e-4, lr: 1e-3, finalLr: 1e-5, warmupSteps: 1, scheduleSteps: 4, weightDecay: 0.04, finalWeightDecay: 0.4, ema: [0.996, 1], clipGrad: 10, clipFromStep: 0 });
    try {
      const { result, residency } = await watchGpuResidency(() => step.runAsync(video, masks));
      expect(Number.isFinite(result.loss)).toBe(true);
      expect(residency.kernels.length).toBeGreaterThan(100);
      // our WGSL kernels, not tfjs's compositions: LayerNorm, GELU, the fused attention, AdamW
      for (const kernel of ['VjepaLayerNorm', 'VjepaLayerNormPlain', 'VjepaLayerNormGrad', 'VjepaGelu', 'VjepaGeluGrad', 'VjepaSelfAttention', 'VjepaSelfAttentionGrad', 'VjepaAdamW']) {
        expect(residency.kernels).toContain(kernel);
      }
      // the scores only inside the attention kernels: tfjs's softmax never runs
      expect(residency.kernels).not.toContain('Softmax');
      expect(residency.cpuKernels).toEqual([]);
      // the metrics, read once at the end: the loss, one per generator, two gradient norms
      expect(residency.reads).toEqual(Array.from({ length: 1 + masks.length + 2 }, () => ({ kernel: 'outside a kernel', afterKernels: residency.kernels.length })));
    } finally {
      [step, video, models.encoder, models.predictor, models.targetEncoder].forEach((owned) => owned.dispose());
    }
  });
});
