import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float';

const every16Bits = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe('float16', () => {
  it('widens hand-computed bits exactly', () => {
    const bits = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00);
    expect(Array.from(float16ToFloat32(bits))).toEqual([1, -2, 65504, 2 ** -24, 6.097555160522461e-5, 2 ** -14, 0.333251953125, Infinity, -Infinity]);
    expect(Object.is(float16ToFloat32(Uint16Array.of(0x8000))[0], -0)).toBe(true);
    expect(float16ToFloat32(Uint16Array.of(0x7e00))[0]).toBeNaN();
  });

  it('narrows to nearest even, overflow to Infinity, NaN kept', () => {
    const values = Float32Array.of(1, -2, 65504, 65519, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -25, 3 * 2 ** -25, 1e-10, -0, NaN);
    const expected = [0x3c00, 0xc000, 0x7bff, 0x7bff, 0x7c00, 0x3c00, 0x3c02, 0x0000, 0x0002, 0x0000, 0x8000, 0x7e00];
    expect(Array.from(float32ToFloat16(values))).toEqual(expected);
  });

  it('round-trips every non-NaN bit pattern (a NaN comes back as the one NaN 0x7e00)', () => {
    const back = float32ToFloat16(float16ToFloat32(every16Bits));
    const isNaN = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0;
    const wrong = Array.from(every16Bits).filter((bits) => back[bits] !== (isNaN(bits) ? 0x7e00 : bits));
    expect(wrong).toEqual([]);
  });
});

describe('bfloat16', () => {
  it('widens hand-computed bits exactly', () => {
    expect(Array.from(bfloat16ToFloat32(Uint16Array.of(0x3f80, 0x4049, 0xc000, 0x7f80, 0x0001)))).toEqual([1, 3.140625, -2, Infinity, 2 ** -133]);
    expect(bfloat16ToFloat32(Uint16Array.of(0x7fc0))[0]).toBeNaN();
  });

  it('narrows to nearest even, NaN kept quiet', () => {
    const values = Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, 3.4e38, -2);
    expect(Array.from(float32ToBfloat16(values))).toEqual([0x3f80, 0x3f82, 0x4049, 0x7f80, 0xc000]);
    const nan = float32ToBfloat16(new Float32Array(new Uint32Array([0x7f800001]).buffer))[0]; // a signalling NaN
    expect(nan).toBe(0x7fc0);
  });

  it('round-trips every non-NaN bit pattern (a NaN stays a NaN, made quiet)', () => {
    const back = float32ToBfloat16(bfloat16ToFloat32(every16Bits));
    const isNaN = (bits: number) => (bits & 0x7f80) === 0x7f80 && (bits & 0x007f) !== 0;
    const wrong = Array.from(every16Bits).filter((bits) => (isNaN(bits) ? (back[bits] & 0x7fc0) !== 0x7fc0 : back[bits] !== bits));
    expect(wrong).toEqual([]);
  });

  it('reads a float32 view at an offset of a larger buffer', () => {
    const buffer = new Float32Array([9, 1, -2]);
    expect(Array.from(float32ToBfloat16(buffer.subarray(1)))).toEqual([0x3f80, 0xc000]);
    expect(Array.from(float32ToFloat16(buffer.subarray(1)))).toEqual([0x3c00, 0xc000]);
  });
});
