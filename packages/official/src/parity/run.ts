import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type AcceleratorRequest, type BackendRequest, type IndexBatch, type SafeTensor, type VideoBatch } from '@vjepa/core';
import { createTrainStep, gatherTargets, targetFeatures, vjepaLoss } from '@vjepa/trainer';
import { AttentiveProbe, crossEntropy } from '@vjepa/probe';
import { int64ToInt32, selectGroup } from '@vjepa/core';
import { maxAbsError } from '@vjepa/core';
import { buildModels, generatorCount, loadReference, referenceIndices, referenceVideo, type Reference, type ReferenceWeights } from './reference';
import { buildVjepa2Models, isVjepa2Config, vjepa2Probe } from './vjepa2';

/** Tolerances of `vjepa parity`: forward values, and gradients / training steps. */
export const PARITY_TOLERANCE = { forward: 1e-4, gradient: 1e-3 } as const;

/** What `vjepa parity` prints. */
export interface ParityReport {
  file: string;
  backend: string;
  /** The fast kernels that ran: `native` (@vjepa/accelerate) or `none` (tfjs's own). */
  accelerator: 'native' | 'none';
  /** Max abs error per reference tensor compared. */
  errors: Record<string, number>;
  /** Names whose error exceeds their tolerance. */
  failures: string[];
  /** Reference tensors this version cannot produce yet (not compared). */
  unchecked: string[];
  ok: boolean;
}

function toleranceFor(name: string): number {
  return name.startsWith('out/') || name.startsWith('probe_out/') ? PARITY_TOLERANCE.forward : PARITY_TOLERANCE.gradient;
}

/** What the forward/gradient comparison needs of the models of either version. */
interface ParityModels {
  encoder: {
    patchEmbed: { apply(video: VideoBatch): tf.Tensor3D };
    apply(video: VideoBatch): tf.Tensor3D;
    applyMasks(video: VideoBatch, indices: readonly IndexBatch[]): tf.Tensor3D[];
    parameters(): Map<string, tf.Variable>;
    dispose(): void;
  };
  targetEncoder: { apply(video: VideoBatch): tf.Tensor3D; dispose(): void };
  predictor: {
    apply(context: tf.Tensor3D, contextIndices: IndexBatch, targetIndices: IndexBatch, maskIndex: number): tf.Tensor3D;
    parameters(): Map<string, tf.Variable>;
    dispose(): void;
  };
  /** The mask token of generator i: i for V-JEPA 1, the clip-length group for V-JEPA 2. */
  maskIndex(generator: number): number;
  /** The multi-layer features `out/encoder_layers`, where the version has them. */
  layers?: (video: VideoBatch) => tf.Tensor3D;
}

/** The models of a reference file, of the version its config names. */
function parityModels(reference: Reference): ParityModels {
  if (!isVjepa2Config(reference.config)) return { ...buildModels(reference), maskIndex: (i) => i };
  const { configs, ...models } = buildVjepa2Models(reference);
  const outLayers = configs.outLayers;
  const layers = outLayers?.length ? (video: VideoBatch) => tf.concat(models.encoder.applyLayers(video, outLayers), 1) as tf.Tensor3D : undefined;
  return { ...models, maskIndex: () => configs.maskIndex, layers };
}

/** Forward outputs, loss and gradients of encoder and predictor (spec §9 steps 3–6, without the update). */
function compareForwardAndGradients(reference: Reference, record: (name: string, value: tf.Tensor | number) => void): void {
  const { encoder, targetEncoder, predictor, maskIndex, layers } = parityModels(reference);
  const video = referenceVideo(reference);
  const generators = generatorCount(reference);
  const contextIndices = Array.from({ length: generators }, (_, i) => referenceIndices(reference, `masks/enc${i}`));
  const targetIndices = Array.from({ length: generators }, (_, i) => referenceIndices(reference, `masks/pred${i}`));
  try {
    tf.tidy(() => {
      record('out/patch_embed', encoder.patchEmbed.apply(video));
      record('out/encoder_full', encoder.apply(video));
      if (layers) record('out/encoder_layers', layers(video));
      const targets = targetFeatures(targetEncoder, video);
      record('out/target_full_ln', targets);
      const gathered = gatherTargets(targets, targetIndices);
      gathered.forEach((t, i) => record(`out/target${i}`, t));
      const params = new Map<string, tf.Variable>();
      for (const [key, v] of encoder.parameters()) params.set(`grad/encoder/${key}`, v);
      for (const [key, v] of predictor.parameters()) params.set(`grad/predictor/${key}`, v);
      const { value, grads } = tf.variableGrads(() => {
        const contexts = encoder.applyMasks(video, contextIndices);
        const predictions = contexts.map((z, i) => predictor.apply(z, contextIndices[i], targetIndices[i], maskIndex(i)));
        contexts.forEach((z, i) => record(`out/context${i}`, z));
        predictions.forEach((p, i) => record(`out/pred${i}`, p));
        return vjepaLoss(predictions, gathered);
      }, [...params.values()]);
      record('out/loss', value);
      // V-JEPA 2: the mask tokens no prediction used get no gradient, and the file has none for them.
      // A gradient the file has and we do not produce is a failure (NaN compares as an infinite error).
      for (const [name, variable] of params) record(name, grads[variable.name] ?? NaN);
    });
  } finally {
    video.dispose();
    encoder.dispose();
    targetEncoder.dispose();
    predictor.dispose();
  }
}

/** The `train` block of a reference config: the official settings of its training steps. */
interface ReferenceTraining {
  steps: number;
  warmup: number;
  start_lr: number;
  lr: number;
  final_lr: number;
  T: number;
  wd: number;
  final_wd: number;
  ema: [number, number];
  clip_grad?: number | null;
}

/** `train.steps` full steps on the file's clip and masks; parameters of all three models after them, and the losses. */
function compareTraining(reference: Reference, record: (name: string, value: tf.Tensor | Float32Array | number) => void): void {
  const train = reference.config.train as ReferenceTraining | undefined;
  if (!train || !reference.tensors.has('train/losses')) return;
  const models = buildModels(reference);
  const video = referenceVideo(reference);
  const masks = Array.from({ length: generatorCount(reference) }, (_, i) => ({
    context: referenceIndices(reference, `masks/enc${i}`),
    target: referenceIndices(reference, `masks/pred${i}`),
  }));
  const step = createTrainStep(models, {
    startLr: train.start_lr,
    lr: train.lr,
    finalLr: train.final_lr,
    warmupSteps: train.warmup,
    scheduleSteps: train.T,
    weightDecay: train.wd,
    finalWeightDecay: train.final_wd,
    ema: train.ema,
    clipGrad: train.clip_grad ?? null,
    clipFromStep: 0,
  });
  try {
    const losses = Float32Array.from({ length: train.steps }, () => step.run(video, masks).loss);
    record('train/losses', losses);
    const groups = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder };
    for (const [group, module] of Object.entries(groups)) {
      for (const [key, variable] of module.stateDict()) record(`train/${group}/${key}`, variable);
    }
  } finally {
    step.dispose();
    video.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  }
}

/**
 * The attentive probe on `out/encoder_full`: logits, cross-entropy and gradients (spec §11.2; V-JEPA 2:
 * VJEPA2-SPEC §3), and on `out/encoder_layers` where the file has the multi-layer logits.
 */
function compareProbe(reference: Reference, record: (name: string, value: tf.Tensor | number) => void): void {
  const weights = selectGroup(reference.tensors, 'probe');
  const features = reference.tensors.get('out/encoder_full');
  const labels = reference.tensors.get('probe_in/labels');
  if (!weights.size || !features || !labels) return;
  const classes = weights.get('linear.weight')!.shape[0];
  const probe = isVjepa2Config(reference.config)
    ? vjepa2Probe(reference, classes)
    : new AttentiveProbe({ dim: reference.config.dim, heads: reference.config.heads, classes });
  probe.loadStateDict(weights, { source: `${reference.file} (probe/*)` });
  const labelValues = labels.data instanceof BigInt64Array ? int64ToInt32(labels.data, 'probe_in/labels') : Int32Array.from(labels.data as ArrayLike<number>);
  const tensor3d = (t: SafeTensor) => tf.tensor3d(t.data as Float32Array, t.shape as [number, number, number]);
  try {
    tf.tidy(() => {
      const x = tensor3d(features);
      const params = [...probe.parameters()];
      const { value, grads } = tf.variableGrads(() => {
        const logits = probe.apply(x);
        record('probe_out/logits', logits);
        return crossEntropy(logits, labelValues);
      }, params.map(([, v]) => v));
      record('probe_out/ce', value);
      // `xattn.proj` is not applied (official QUIRK), so it has no gradient and the file has none for it.
      for (const [key, variable] of params) record(`probe_grad/${key}`, grads[variable.name] ?? NaN);
      const layered = reference.tensors.get('out/encoder_layers');
      if (layered && reference.tensors.has('probe_out/logits_layers')) record('probe_out/logits_layers', probe.apply(tensor3d(layered)));
    });
  } finally {
    probe.dispose();
  }
}

/**
 * Compares everything this version can compute with a reference file of the official code: forward
 * outputs (`out/*`, `probe_out/*`, ≤ 1e-4), gradients (`grad/*`, `probe_grad/*`, ≤ 1e-3) and the
 * parameters and losses after the reference's training steps (`train/*`, ≤ 1e-3). Any configuration in the format works
 * (patch and tubelet sizes, widths, depths, heads, batch and mask sizes are read from the file).
 * With `weights`, the models are loaded from official `.pth.tar` checkpoints instead of the reference's groups.
 */
export async function runParity(
  file: string,
  backend: BackendRequest = 'auto',
  accelerator: AcceleratorRequest = 'auto',
  weights: ReferenceWeights = {},
): Promise<ParityReport> {
  const reference = loadReference(file, weights);
  const choice = await selectBackend(backend, { accelerator });
  const errors: Record<string, number> = {};
  const record = (name: string, value: tf.Tensor | Float32Array | number) => {
    const expected = reference.tensors.get(name);
    if (expected) errors[name] = maxAbsError(value, expected);
  };
  compareForwardAndGradients(reference, record);
  compareTraining(reference, record);
  compareProbe(reference, record);
  const failures = Object.entries(errors)
    .filter(([name, error]) => !(error <= toleranceFor(name)))
    .map(([name]) => name);
  const compared = (name: string) => name in errors || /^(input|encoder|predictor|target_encoder|masks|probe|probe_in)\//.test(name);
  const unchecked = [...reference.tensors.keys()].filter((name) => !compared(name));
  return { file, backend: choice.backend, accelerator: choice.accelerator.name, errors, failures, unchecked, ok: failures.length === 0 };
}
