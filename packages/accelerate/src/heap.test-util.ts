// Test helpers shared by this package's kernel tests: a memory standing in for the wasm backend's heap,
// and seeded float32 values.

/** Float32 (and int32) operands laid out in one memory at 4-byte offsets, never at 0, with gaps. */
export class Heap {
  readonly mem: Uint8Array<ArrayBuffer>;
  private next = 64;

  constructor(bytes = 1 << 20) {
    this.mem = new Uint8Array(bytes);
  }

  /** Copies `values` in; returns their byte offset. */
  put(values: ArrayLike<number>, type: typeof Float32Array | typeof Int32Array = Float32Array): number {
    const offset = this.next;
    new type(this.mem.buffer, offset, values.length).set(Array.from(values));
    this.next += 4 * values.length + 12; // a gap, so that an overrun would show as a wrong neighbour
    return offset;
  }

  /** `n` floats of `fill` (NaN by default: anything the kernel should have written shows). */
  alloc(n: number, fill = Number.NaN): number {
    return this.put(new Float32Array(n).fill(fill));
  }

  read(offset: number, n: number): Float32Array {
    return new Float32Array(this.mem.buffer, offset, n).slice();
  }
}

/** `n` seeded floats in `[-scale, scale)` (a small LCG: this package has no dependencies). */
export function values(n: number, seed: number, scale = 1): Float32Array {
  let state = seed * 2654435761 + 1;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.fround((state / 2 ** 32) * 2 * scale - scale);
  });
}
