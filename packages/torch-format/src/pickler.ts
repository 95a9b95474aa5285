import { DTYPE_BYTES, DTYPE_STORAGES, fitsDtype, TORCH_DTYPES, type TorchDtype, type TorchTensorData } from './dtypes';
import { fail } from '@vjepa/base';
import { TorchTensor, type TensorValue } from './tensor';
import { PyFloat, PyOrderedDict, PyTuple } from './values';

/** A tensor to write: a {@link TensorValue} (`{dtype, shape, data}`) or a tensor of an open file. */
export type TensorInput = TensorValue | TorchTensor;

/** A tensor met while pickling, with the storage key it was given. */
export interface PickledTensor {
  key: string;
  tensor: TensorInput;
}

const MAX_DEPTH = 100;

/** Whether `value` is a `{dtype, shape, data}` tensor this package can write. */
export function isTensorValue(value: unknown): value is TensorValue {
  if (value === null || typeof value !== 'object' || value instanceof Map || Array.isArray(value)) return false;
  const { dtype, shape, data } = value as Partial<TensorValue>;
  return typeof dtype === 'string' && (TORCH_DTYPES as string[]).includes(dtype) && Array.isArray(shape) && ArrayBuffer.isView(data);
}

function checkTensor(tensor: TensorValue, where: string): void {
  const { dtype, shape, data } = tensor;
  if (!fitsDtype(dtype, data)) fail(`${where}.data`, `the typed array of ${dtype} (F16/BF16: Uint16Array of bits, BOOL: Uint8Array)`, data);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${where}.shape`, 'non-negative integers', shape);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== (data as TorchTensorData).length) fail(`${where}.data.length`, `${numel} (the product of shape [${shape.join(', ')}])`, (data as TorchTensorData).length);
}

/** Builds protocol-2 pickle bytes in growing chunks. */
class Output {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.room(1);
    this.buffer[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.length, v, false);
    this.length += 8;
  }
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i));
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const encoder = new TextEncoder();

/**
 * Pickles `value` with protocol 2 the way `torch.save` does, so `torch.load(weights_only=True)` reads it:
 * tensors as `_rebuild_tensor_v2` of a persistent-id storage, {@link PyOrderedDict} as
 * `collections.OrderedDict`, Maps and plain objects as dicts, arrays as lists, {@link PyTuple} as tuples,
 * integers as ints (BigInt beyond 2^53), other numbers and {@link PyFloat} as floats, strings, booleans, null.
 *
 * @param value - the object to save.
 * @returns the pickle and the tensors in the order their storages were named `0`, `1`, ….
 * @throws TorchFormatError naming the path of a value that cannot be written.
 */
export function pickleTorch(value: unknown): { pickle: Uint8Array; tensors: PickledTensor[] } {
  const out = new Output();
  const tensors: PickledTensor[] = [];
  const open = new Set<object>();
  const globalOp = (module: string, name: string) => {
    out.byte(0x63);
    out.ascii(`${module}\n${name}\n`);
  };
  const string = (text: string) => {
    const bytes = encoder.encode(text);
    out.byte(0x58);
    out.u32(bytes.length);
    out.bytes(bytes);
  };
  const integer = (v: number | bigint) => {
    if (typeof v === 'number' && v >= 0 && v < 256) {
      out.byte(0x4b);
      out.byte(v);
    } else if (typeof v === 'number' && v >= 0 && v < 65536) {
      out.byte(0x4d);
      out.u16(v);
    } else if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
      out.byte(0x4a);
      out.i32(v);
    } else {
      // LONG1: little-endian two's complement, as short as the sign allows.
      let big = BigInt(v);
      const bytes: number[] = [];
      for (;;) {
        const byte = Number(big & 0xffn);
        bytes.push(byte);
        big >>= 8n;
        if ((big === 0n && !(byte & 0x80)) || (big === -1n && byte & 0x80)) break;
      }
      out.byte(0x8a);
      out.byte(bytes.length);
      for (const b of bytes) out.byte(b);
    }
  };
  const tuple = (items: unknown[], path: string, depth: number) => {
    if (items.length === 0) return out.byte(0x29);
    if (items.length > 3) out.byte(0x28);
    items.forEach((item, i) => write(item, `${path}[${i}]`, depth + 1));
    out.byte(items.length > 3 ? 0x74 : 0x84 + items.length);
  };
  const tensor = (input: TensorInput, path: string) => {
    if (!(input instanceof TorchTensor)) checkTensor(input, path);
    const dtype: TorchDtype = input.dtype;
    const shape = [...input.shape];
    const numel = shape.reduce((a, b) => a * b, 1);
    const key = String(tensors.length);
    tensors.push({ key, tensor: input });
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    globalOp('torch._utils', '_rebuild_tensor_v2');
    out.byte(0x28); // MARK: the argument tuple
    out.byte(0x28); // MARK: the persistent id
    string('storage');
    globalOp('torch', DTYPE_STORAGES[dtype]);
    string(key);
    string('cpu');
    integer(numel);
    out.byte(0x74); // TUPLE
    out.byte(0x51); // BINPERSID
    integer(0);
    tuple(shape, path, 0);
    tuple(stride, path, 0);
    out.byte(0x89); // requires_grad False
    globalOp('collections', 'OrderedDict');
    out.byte(0x29);
    out.byte(0x52); // backward_hooks: OrderedDict()
    out.byte(0x74); // TUPLE
    out.byte(0x52); // REDUCE
  };
  const dictItems = (entries: Iterable<[unknown, unknown]>, path: string, depth: number) => {
    let batch = 0;
    for (const [key, item] of entries) {
      if (batch === 0) out.byte(0x28);
      writeKey(key, path);
      write(item, `${path}/${String(key)}`, depth + 1);
      if (++batch === 1000) {
        out.byte(0x75);
        batch = 0;
      }
    }
    if (batch > 0) out.byte(0x75);
  };
  const writeKey = (key: unknown, path: string) => {
    if (typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean' || key === null || key instanceof PyTuple) write(key, path, 0);
    else fail(`${path} key`, 'a string, number, bigint, boolean, null or PyTuple', key);
  };
  const write = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) fail(path, `nesting at most ${MAX_DEPTH} deep`, depth);
    if (v === null || v === undefined) return out.byte(0x4e);
    if (v === true) return out.byte(0x88);
    if (v === false) return out.byte(0x89);
    if (typeof v === 'string') return string(v);
    if (typeof v === 'bigint') return integer(v);
    if (v instanceof PyFloat || (typeof v === 'number' && !Number.isSafeInteger(v))) {
      out.byte(0x47);
      return out.f64(v instanceof PyFloat ? v.value : (v as number));
    }
    if (typeof v === 'number') return integer(Object.is(v, -0) ? 0 : v);
    if (typeof v !== 'object') fail(path, 'a value torch.load can read (tensor, dict, list, tuple, number, string, boolean, null)', v);
    if (v instanceof TorchTensor || isTensorValue(v)) return tensor(v, path);
    if (open.has(v)) fail(path, 'a tree (no value containing itself)', 'a cycle');
    open.add(v);
    if (v instanceof PyTuple) tuple([...v], path, depth);
    else if (Array.isArray(v)) {
      out.byte(0x5d);
      for (let i = 0; i < v.length; i += 1000) {
        out.byte(0x28);
        for (let j = i; j < Math.min(v.length, i + 1000); j++) write(v[j], `${path}/${j}`, depth + 1);
        out.byte(0x65);
      }
    } else if (v instanceof PyOrderedDict) {
      globalOp('collections', 'OrderedDict');
      out.byte(0x29);
      out.byte(0x52);
      dictItems(v.entries(), path, depth);
    } else if (v instanceof Map) {
      out.byte(0x7d);
      dictItems(v.entries(), path, depth);
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      out.byte(0x7d);
      dictItems(Object.entries(v), path, depth);
    } else fail(path, 'a value torch.load can read (tensor, Map, plain object, array, PyTuple, number, string, boolean, null)', v);
    open.delete(v);
  };
  out.byte(0x80);
  out.byte(0x02);
  write(value, 'value', 0);
  out.byte(0x2e);
  return { pickle: out.result(), tensors };
}

/** Bytes one pickled tensor's storage holds. */
export function tensorByteLength(tensor: TensorInput): number {
  return tensor.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[tensor.dtype];
}
