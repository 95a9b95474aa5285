import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { VJEPA2_SIZES, type Vjepa2Arch, type Vjepa2Size } from './arch';
import { probeProtocol } from './infer';
import { lazyTensor, type LazyStateDict } from './lazy-tensor';
import { encoderKeys, predictorKeys, probeKeys, type KeyShapes } from './official-keys';
import { writeVjepa2HuggingFace, type Vjepa2HfWritten } from './write-hf';

/** Options of {@link writeRandomVjepa2Classifier}. */
export interface RandomVjepa2Options {
  /** The released encoder size (default `vitl`: 1024 wide, 24 deep, 16 heads). */
  size?: Vjepa2Size;
  /** Any architecture instead of a released size (encoder, predictor and probe all required). */
  arch?: Vjepa2Arch;
  /** Probe classes (default 174, the SSv2 probe's). */
  classes?: number;
  /** Crop (default 256). */
  imageSize?: number;
  /** Frames per clip (default 16). */
  frames?: number;
  /** Stored dtype: `F16` (default, half the bytes) or `F32`. */
  dtype?: 'F16' | 'F32';
  /** Seed of the weights (default 0): the same seed writes the same bytes. */
  seed?: number;
  /** Shard the weights (see `writeVjepa2HuggingFace`). */
  maxShardBytes?: number;
}

const OPTION_KEYS = optionKeys<RandomVjepa2Options>({ size: true, arch: true, classes: true, imageSize: true, frames: true, dtype: true, seed: true, maxShardBytes: true });

/**
 * The architecture of a released V-JEPA 2 classifier: the encoder of `size`, the released predictor (384
 * wide, 12 deep, 12 heads, 10 mask tokens) and the official attentive probe (16 heads, depth 4, MLP 4×).
 */
export function releasedClassifierArch(size: Vjepa2Size = 'vitl', classes = 174, imageSize = 256, frames = 16): Vjepa2Arch {
  const s = VJEPA2_SIZES[size];
  const geometry = { imageSize, frames, patch: 16, tubelet: 2 };
  const probe = { dim: s.dim, depth: 4, heads: 16, mlpHidden: 4 * s.dim, mlpRatio: 4, queries: 1, classes, normEps: 1e-5 };
  return {
    size,
    encoder: { dim: s.dim, depth: s.depth, heads: s.heads, mlpHidden: s.mlpHidden, mlpRatio: s.mlpHidden / s.dim, channels: 3, qkvBias: true, normEps: 1e-6, ...geometry },
    predictor: { encoderDim: s.dim, dim: 384, depth: 12, heads: 12, mlpHidden: 1536, mlpRatio: 4, numMaskTokens: 10, qkvBias: true, normEps: 1e-6, ...geometry },
    probe,
    protocol: probeProtocol(probe),
    labels: null,
    assumed: [],
  };
}

/** A 32-bit hash of a string (FNV-1a), to give each tensor its own stream. */
function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** `count` normal deviates of a seeded stream (mulberry32 + Box–Muller), scaled and shifted. */
function normals(count: number, seed: number, std: number, mean: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = mean + std * r * Math.cos(a);
    if (i + 1 < count) out[i + 1] = mean + std * r * Math.sin(a);
  }
  return out;
}

/**
 * Random weights for the keys of an architecture, generated when each tensor is read (never all at
 * once): LayerNorm scales 1 + 0.1·N(0, 1), every other tensor 0.02·N(0, 1).
 */
function randomState(keys: KeyShapes, group: string, seed: number): LazyStateDict {
  return new Map(
    keys.map(([key, shape]) => {
      const norm = /norm\d?\.weight$/.test(key);
      const count = shape.reduce((a, b) => a * b, 1);
      return [
        key,
        lazyTensor(shape, 'F32', () => {
          const values = normals(count, hash(`${group}/${key}`, seed), norm ? 0.1 : 0.02, norm ? 1 : 0);
          return new Uint8Array(values.buffer);
        }),
      ];
    }),
  );
}

/**
 * Writes a Hugging Face `VJEPA2ForVideoClassification` folder of random weights at the real sizes —
 * by default ViT-L/16 (1024 wide, 24 deep, 16 heads, MLP 4096, patch 16, tubelet 2, 256 px, 16 frames),
 * the released predictor and the SSv2 probe with 174 classes — through {@link writeVjepa2HuggingFace},
 * one tensor at a time. What the end-to-end classification check runs on without downloading a model.
 *
 * @param dir - the folder.
 * @param options - size, classes, dtype, seed.
 * @returns what was written and the architecture.
 * @example
 * writeRandomVjepa2Classifier('/tmp/vjepa2-vitl-random', { dtype: 'F16' }); // ≈ 0.75 GB
 */
export function writeRandomVjepa2Classifier(dir: string, options: RandomVjepa2Options = {}): Vjepa2HfWritten & { arch: Vjepa2Arch } {
  checkKeys('options', options, OPTION_KEYS);
  if (options.dtype !== undefined && options.dtype !== 'F16' && options.dtype !== 'F32') fail('options.dtype', "'F16' or 'F32'", options.dtype);
  if (options.size !== undefined && !(options.size in VJEPA2_SIZES)) fail('options.size', Object.keys(VJEPA2_SIZES).join(', '), options.size);
  const arch = options.arch ?? releasedClassifierArch(options.size, options.classes, options.imageSize, options.frames);
  if (!arch.encoder || !arch.predictor || !arch.probe) fail('options.arch', 'an encoder, a predictor and a probe', arch);
  const seed = options.seed ?? 0;
  const written = writeVjepa2HuggingFace(
    dir,
    {
      arch,
      encoder: randomState(encoderKeys(arch.encoder), 'encoder', seed),
      predictor: randomState(predictorKeys(arch.predictor), 'predictor', seed),
      probe: randomState(probeKeys(arch.probe), 'probe', seed),
    },
    { dtype: options.dtype ?? 'F16', maxShardBytes: options.maxShardBytes },
  );
  return { ...written, arch };
}
