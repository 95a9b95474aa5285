/**
 * The 16-bit float formats of checkpoints, to and from float32 (what tfjs computes in): IEEE binary16
 * (`F16`, PyTorch's `torch.half`) and bfloat16 (`BF16`, the top half of a float32). Both are held as raw
 * bits in a Uint16Array.
 *
 * @packageDocumentation
 */
import { roundHalfEven } from './round-half-even';

let float16Table: Float32Array | undefined;

/**
 * IEEE binary16 bits → float32, exactly (every half is a float32), through a 64k-entry table built on first use.
 *
 * @param bits - the raw half-precision bits.
 * @returns one float32 per element; subnormals, ±Infinity and NaN included.
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  if (!float16Table) {
    float16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) float16Table[i] = float16BitsToNumber(i);
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16Table[bits[i]];
  return out;
}

function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * bfloat16 bits → float32, exactly: bfloat16 bits are the top half of float32 bits.
 *
 * @param bits - the raw bfloat16 bits.
 * @returns one float32 per element.
 */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out;
}

/**
 * float32 → IEEE binary16 bits, rounding to nearest even as PyTorch's `.half()` does (beyond the largest
 * half, 65504, → ±Infinity; NaN stays NaN).
 *
 * @param values - the float32 elements.
 * @returns the half-precision bits, one per element.
 */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16BitsOf(bits[i], values[i]);
  return out;
}

function float16BitsOf(floatBits: number, value: number): number {
  const sign = (floatBits >>> 16) & 0x8000;
  const magnitude = floatBits & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00; // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00; // ≥ 65520 rounds to Infinity
  if (magnitude < 0x38800000) return sign | roundHalfEven(Math.abs(value) * 2 ** 24); // subnormal (or 0)
  const exponent = (magnitude >>> 23) - 112; // rebias 127 → 15
  const rest = magnitude & 0x1fff;
  let half = (exponent << 10) | ((magnitude >>> 13) & 0x3ff);
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is correct
  return sign | half;
}

/**
 * float32 → bfloat16 bits, rounding to nearest even as PyTorch's `.bfloat16()` does (NaN kept, quiet).
 *
 * @param values - the float32 elements.
 * @returns the bfloat16 bits, one per element.
 */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const floatBits = bits[i];
    const isNaN = (floatBits & 0x7fffffff) > 0x7f800000;
    out[i] = isNaN ? (floatBits >>> 16) | 0x40 : (floatBits + 0x7fff + ((floatBits >>> 16) & 1)) >>> 16;
  }
  return out;
}
