/**
 * The description of a V-JEPA 2 checkpoint: the architecture its tensors and config imply, enough to
 * build the models (field names as `@vjepa/vit`'s, `@vjepa/predictor`'s and `@vjepa/probe`'s configs).
 *
 * @packageDocumentation
 */

/** The released V-JEPA 2 encoders (spec §1): code name, width, depth, heads, MLP hidden. */
export const VJEPA2_SIZES = {
  vitl: { name: 'ViT-L/16 (vit_large)', dim: 1024, depth: 24, heads: 16, mlpHidden: 4096 },
  vith: { name: 'ViT-H/16 (vit_huge)', dim: 1280, depth: 32, heads: 16, mlpHidden: 5120 },
  vitg: { name: 'ViT-g/16 (vit_giant_xformers)', dim: 1408, depth: 40, heads: 22, mlpHidden: 6144 },
} as const;

/** A released size name. */
export type Vjepa2Size = keyof typeof VJEPA2_SIZES;

/** The V-JEPA 2 encoder: RoPE, no position table. */
export interface Vjepa2EncoderArch {
  /** Width D. */
  dim: number;
  /** Blocks. */
  depth: number;
  /** Attention heads (not in the tensors: option, config or the released size of that width). */
  heads: number;
  /** MLP hidden width (`blocks.0.mlp.fc1.weight` rows). */
  mlpHidden: number;
  /** `mlpHidden / dim`. */
  mlpRatio: number;
  /** Spatial patch. */
  patch: number;
  /** Frames per tubelet. */
  tubelet: number;
  /** Input channels. */
  channels: number;
  /** Bias on qkv. */
  qkvBias: boolean;
  /** LayerNorm epsilon (1e-6). */
  normEps: number;
  /** The crop the model was trained at (the predictor's RoPE grid is `imageSize / patch`). */
  imageSize: number;
  /** Frames per clip (RoPE takes any even count; this is the one the file or its protocol names). */
  frames: number;
}

/** The V-JEPA 2 predictor: RoPE, 10 mask tokens. */
export interface Vjepa2PredictorArch {
  /** The encoder width it reads and predicts. */
  encoderDim: number;
  /** Width P. */
  dim: number;
  /** Blocks. */
  depth: number;
  /** Attention heads (option, config, or 12 for the released width 384). */
  heads: number;
  /** MLP hidden width. */
  mlpHidden: number;
  /** `mlpHidden / dim`. */
  mlpRatio: number;
  /** Mask tokens (10 in every release). */
  numMaskTokens: number;
  /** Bias on qkv. */
  qkvBias: boolean;
  /** LayerNorm epsilon (1e-6). */
  normEps: number;
  /** Geometry of the RoPE grid: the encoder's image size, patch, tubelet and frames. */
  imageSize: number;
  patch: number;
  tubelet: number;
  frames: number;
}

/** The V-JEPA 2 attentive probe (spec §3). */
export interface Vjepa2ProbeArch {
  /** Width D (the encoder's). */
  dim: number;
  /** Blocks: self-attention blocks over the tokens + 1 cross-attention block (4 in every release). */
  depth: number;
  /** Heads of the official probe (16; option, or HF's encoder heads when 16 does not divide the width). */
  heads: number;
  /** MLP hidden width. */
  mlpHidden: number;
  /** `mlpHidden / dim`. */
  mlpRatio: number;
  /** Query tokens: 1, or 3 for the EK-100 verb/noun/action probe. */
  queries: number;
  /** Classes of `linear` (EK-100: the three heads' class counts). */
  classes: number | { verb: number; noun: number; action: number };
  /** LayerNorm epsilon of the official probe (1e-5). */
  normEps: number;
  /** What transformers computes instead, for a Hugging Face classifier: its pooler heads and epsilon. */
  hf?: { heads: number; normEps: number };
}

/** The official eval protocol a recognised probe was trained with (spec §3). */
export interface Vjepa2Protocol {
  /** `ssv2`, `diving48` or `ek100`. */
  task: 'ssv2' | 'diving48' | 'ek100';
  /** Crop. */
  resolution: number;
  /** Frames per clip. */
  frames: number;
  /** Frame step. */
  frameStep: number;
  /** Temporal segments. */
  segments: number;
  /** Spatial views. */
  views: number;
  /** Blocks whose outputs (after the final norm) feed the probe, concatenated on the token axis; null = the last. */
  outLayers: number[] | null;
}

/** What a V-JEPA 2 checkpoint holds and what it describes. */
export interface Vjepa2Arch {
  /** The released size recognised from the shapes (`vitl`, `vith`, `vitg`), null for any other. */
  size: Vjepa2Size | null;
  /** The encoder, null when the file holds none (a probe file). */
  encoder: Vjepa2EncoderArch | null;
  /** The predictor, null when absent. */
  predictor: Vjepa2PredictorArch | null;
  /** The probe, null when absent. */
  probe: Vjepa2ProbeArch | null;
  /** The official protocol of a recognised probe (by classes and width), else null. */
  protocol: Vjepa2Protocol | null;
  /** Class names (`id2label` of a Hugging Face classifier), null when the file has none. */
  labels: string[] | null;
  /** What was assumed rather than read (defaults of released models), one note each. */
  assumed: string[];
}

/** A one-line summary: `ViT-L/16 (vit_large) encoder 1024×24, 16 heads, 303.1 M parameters; predictor …; probe …`. */
export function describeArch(arch: Vjepa2Arch, parameters?: { encoder?: number; predictor?: number; probe?: number }): string {
  const parts: string[] = [];
  const millions = (n: number | undefined) => (n === undefined ? '' : n >= 1e6 ? `, ${(n / 1e6).toFixed(1)} M parameters` : `, ${n} parameters`);
  const heads = (n: number) => (n === 1 ? '1 head' : `${n} heads`);
  const e = arch.encoder;
  if (e) {
    const name = arch.size ? `V-JEPA 2 ${VJEPA2_SIZES[arch.size].name}` : 'V-JEPA 2 encoder (no released size)';
    parts.push(`${name}: width ${e.dim}, depth ${e.depth}, ${heads(e.heads)}, MLP ${e.mlpHidden}, patch ${e.patch}, tubelet ${e.tubelet}, ${e.imageSize} px, ${e.frames} frames${millions(parameters?.encoder)}`);
  }
  const p = arch.predictor;
  if (p) parts.push(`predictor: width ${p.dim}, depth ${p.depth}, ${heads(p.heads)}, ${p.numMaskTokens} mask tokens${millions(parameters?.predictor)}`);
  const q = arch.probe;
  if (q) {
    const classes = typeof q.classes === 'number' ? `${q.classes} classes` : `verb ${q.classes.verb} / noun ${q.classes.noun} / action ${q.classes.action} classes`;
    parts.push(`attentive probe: width ${q.dim}, depth ${q.depth}, ${heads(q.heads)}, ${classes}${millions(parameters?.probe)}`);
  }
  const r = arch.protocol;
  if (r) parts.push(`protocol ${r.task}: ${r.resolution} px, ${r.frames}×${r.frameStep} frames, ${r.segments}×${r.views} segments×views${r.outLayers ? `, layers ${r.outLayers.join(',')}` : ''}`);
  return parts.join('; ');
}
