/**
 * The comparisons of `vjepa parity` on a reference already in memory, on the active backend: no file
 * system and no backend selection, so the web page runs them in a browser (`@vjepa/official/parity`) and
 * `runParity` in Node.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail, int64ToInt32, maxAbsError, selectGroup, takeWebGpuErrors, type IndexBatch, type SafeTensor, type VideoBatch } from '@vjepa/core';
import { createTrainStep, gatherTargets, targetFeatures, vjepaLoss } from '@vjepa/trainer';
import { AttentiveProbe, crossEntropy } from '@vjepa/probe';
import { buildModels, generatorCount, referenceIndices, referenceVideo, type Reference } from './reference-models';
import { buildVjepa2Models, isVjepa2Config, vjepa2Probe } from './vjepa2';

/** Tolerances of `vjepa parity`: forward values, and gradients / training steps. */
export const PARITY_TOLERANCE = { forward: 1e-4, gradient: 1e-3 } as const;

/** The three comparisons of `runParity`: outputs and gradients, the training steps, the probe. */
export type ParityPart = 'forward' | 'train' | 'probe';

/** Every part, in the order they run. */
export const PARITY_PARTS: readonly ParityPart[] = ['forward', 'train', 'probe'];

/** What `vjepa parity` prints. */
export interface ParityReport {
  file: string;
  backend: string;
  /** The fast kernels that ran: `native` (@vjepa/accelerate) or `none` (tfjs's own). */
  accelerator: 'native' | 'none';
  /** Max abs error per reference tensor compared. */
  errors: Record<string, number>;
  /** Names whose error exceeds their tolerance, then any WebGPU validation error (`WebGPU error: …`). */
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
async function compareTraining(reference: Reference, record: (name: string, value: tf.Tensor | Float32Array | number) => void): Promise<void> {
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
    // On webgpu the step stays on the GPU and is read once at its end (no synchronous reads there in Node).
    const losses = new Float32Array(train.steps);
    for (let i = 0; i < train.steps; i++) losses[i] = (tf.getBackend() === 'webgpu' ? await step.runAsync(video, masks) : step.run(video, masks)).loss;
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

/** The attentive probe on `out/encoder_full`: logits, cross-entropy and gradients (spec §11.2). */
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

/** Fails (a usage error) unless `parts` is a non-empty list of {@link PARITY_PARTS}. */
export function checkParityParts(parts: readonly ParityPart[]): void {
  const unknownPart = parts.find((part) => !PARITY_PARTS.includes(part));
  if (unknownPart !== undefined || parts.length === 0) fail('parts', `some of ${PARITY_PARTS.join(', ')}`, unknownPart ?? '[]');
}

/** What {@link compareReference} found: the part of a {@link ParityReport} that does not depend on how the file and backend were picked. */
export type ParityComparison = Pick<ParityReport, 'errors' | 'failures' | 'unchecked' | 'ok'>;

/**
 * Runs the comparisons `parts` of a reference on the active backend (see `runParity`): forward outputs
 * (`out/*`, `probe_out/*`, ≤ 1e-4), gradients (`grad/*`, `probe_grad/*`, ≤ 1e-3) and the parameters and
 * losses after the reference's training steps (`train/*`, ≤ 1e-3). Values are read back asynchronously
 * after each part; on webgpu the training steps run with `runAsync` and any validation error of the
 * device is a failure.
 *
 * @example
 * const { ok, failures } = await compareReference(referenceFromBytes(bytes, config, 'tiny.safetensors'));
 */
export async function compareReference(reference: Reference, parts: readonly ParityPart[] = PARITY_PARTS): Promise<ParityComparison> {
  checkParityParts(parts);
  const errors: Record<string, number> = {};
  // Tensors are copied when recorded and read afterwards, asynchronously: the webgpu backend cannot read
  // synchronously in Node, and a read inside the computation would stall it on a GPU.
  const pending: [string, tf.Tensor][] = [];
  const record = (name: string, value: tf.Tensor | Float32Array | number) => {
    const expected = reference.tensors.get(name);
    if (!expected) return;
    if (value instanceof tf.Tensor) pending.push([name, tf.keep(tf.clone(value))]);
    else errors[name] = maxAbsError(value, expected);
  };
  const readPending = async () => {
    for (const [name, tensor] of pending.splice(0, pending.length)) {
      const values = (await tensor.data()) as Float32Array;
      errors[name] = maxAbsError(values, reference.tensors.get(name)!, tensor.shape);
      tensor.dispose();
    }
  };
  if (parts.includes('forward')) compareForwardAndGradients(reference, record);
  await readPending();
  if (parts.includes('train')) await compareTraining(reference, record);
  await readPending();
  if (parts.includes('probe')) compareProbe(reference, record);
  await readPending();
  const failures = Object.entries(errors)
    .filter(([name, error]) => !(error <= toleranceFor(name)))
    .map(([name]) => name);
  // A WebGPU validation error means some dispatch did not run: fail even if the values happened to match.
  if (tf.getBackend() === 'webgpu') failures.push(...takeWebGpuErrors());
  const skipped = (name: string) =>
    (!parts.includes('forward') && /^(out|grad)\//.test(name)) || (!parts.includes('train') && name.startsWith('train/')) || (!parts.includes('probe') && /^probe_(out|grad)\//.test(name));
  const compared = (name: string) => name in errors || skipped(name) || /^(input|encoder|predictor|target_encoder|masks|probe|probe_in)\//.test(name);
  const unchecked = [...reference.tensors.keys()].filter((name) => !compared(name));
  return { errors, failures, unchecked, ok: failures.length === 0 };
}
