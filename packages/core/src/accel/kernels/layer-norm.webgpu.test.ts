import { it } from 'vitest';
import { layerNorm, LAYER_NORM, LAYER_NORM_GRAD, LAYER_NORM_PLAIN } from './layer-norm';
import { random } from './native-vs-reference.test-util';
import { describeWebGpu, expectAgreeOnGpu } from './webgpu-vs-reference.test-util';

describeWebGpu('layerNorm: the WGSL kernel equals layerNormReference', () => {
  it('with weight and bias, rows not a multiple of the workgroup, an odd width: values and all three gradients', async () => {
    const inputs = [random([2, 67, 13], 20, 3), random([13], 21), random([13], 22)];
    await expectAgreeOnGpu((x, w, b) => layerNorm(x, 1e-6, w, b), inputs, 1e-5, LAYER_NORM);
    await expectAgreeOnGpu((x, w, b) => layerNorm(x, 1e-6, w, b), inputs, 1e-5, LAYER_NORM_GRAD);
  });

  it("without weight and bias (the target's, eps 1e-5), one row and a wide one", async () => {
    await expectAgreeOnGpu((x) => layerNorm(x, 1e-5), [random([3, 5, 48], 23, 2)], 1e-5, LAYER_NORM_PLAIN);
    await expectAgreeOnGpu((x) => layerNorm(x, 1e-5), [random([1, 200], 24, 2)], 1e-5, LAYER_NORM_GRAD);
  });
});
