import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TorchFormatError } from './errors';
import { flattenTorch } from './flatten';
import { parseTorchFile } from './load';
import { serializeTorchFile } from './save';
import { TorchTensor } from './tensor';
import { toFloat32, type TorchDtype } from './dtypes';
import { PyFloat, PyOrderedDict, PyTuple, pyTuple } from './values';
import { bytesOf, fixture, str, tensorPickle, zipOf } from './test-helpers.test-util';
import { unpickle } from './unpickler';

const noGlobals = { findGlobal: (m: string, n: string): never => { throw new TorchFormatError(`refused ${m}.${n}`); } };

function single(pickle: Uint8Array, storage: Uint8Array): TorchTensor {
  const file = parseTorchFile(zipOf([['archive/data.pkl', pickle], ['archive/data/0', storage], ['archive/version', new TextEncoder().encode('3\n')]]));
  expect(file.root).toBeInstanceOf(TorchTensor);
  return file.root as TorchTensor;
}

describe('tensors: offsets and strides', () => {
  const storage = new Float32Array(Array.from({ length: 12 }, (_, i) => i)); // 0 … 11
  const bytes = new Uint8Array(storage.buffer);

  it('a view with a storage offset reads its own elements', () => {
    const t = single(tensorPickle('FloatStorage', 12, 5, [2, 3], [3, 1]), bytes);
    expect(t.isContiguous).toBe(true);
    expect(Array.from(t.read().data as Float32Array)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('a transposed layout is materialised contiguous (row-major of the view)', () => {
    // storage as a 3×4 matrix; its transpose is 4×3 with strides (1, 4)
    const t = single(tensorPickle('FloatStorage', 12, 0, [4, 3], [1, 4]), bytes);
    expect(t.isContiguous).toBe(false);
    expect(Array.from(t.read().data as Float32Array)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('a strided view with an offset and an expanded (stride 0) dimension', () => {
    const t = single(tensorPickle('FloatStorage', 12, 1, [2, 2, 2], [6, 0, 2]), bytes);
    expect(Array.from(t.read().data as Float32Array)).toEqual([1, 3, 1, 3, 7, 9, 7, 9]);
  });

  it('refuses an element index outside the storage', () => {
    expect(() => single(tensorPickle('FloatStorage', 12, 7, [2, 3], [3, 1]), bytes)).toThrow(/element indices below the storage's 12 elements.*reaching index 12/);
  });

  it('refuses a storage larger than its record', () => {
    expect(() => single(tensorPickle('FloatStorage', 13, 0, [13], [1]), bytes)).toThrow(/a record of at least 52 bytes.*received 48/);
  });
});

describe('dtypes, scalars, integers, keys (written by our writer, read back)', () => {
  const cases: [TorchDtype, ArrayBufferView][] = [
    ['F64', new Float64Array([1.5, -2, Math.PI])],
    ['F32', new Float32Array([1.5, -2, 1e-30])],
    ['F16', new Uint16Array([0x3c00, 0xc000, 0x0001])],
    ['BF16', new Uint16Array([0x3f80, 0xc000, 0x7f80])],
    ['I64', new BigInt64Array([1n, -(2n ** 62n), 2n ** 53n + 1n])],
    ['I32', new Int32Array([-7, 2 ** 31 - 1, 0])],
    ['I16', new Int16Array([-300, 32767, 1])],
    ['I8', new Int8Array([-128, 5, 127])],
    ['U8', new Uint8Array([0, 250, 255])],
    ['BOOL', new Uint8Array([1, 0, 1])],
  ];
  it.each(cases)('%s round-trips bit for bit', (dtype, data) => {
    const bytes = serializeTorchFile(new Map([['t', { dtype, shape: [3], data }]]));
    const t = (parseTorchFile(bytes).root as Map<string, TorchTensor>).get('t')!;
    expect(t.dtype).toBe(dtype);
    expect(t.read().data).toEqual(data);
  });

  it('F16 and BF16 widen to float32 exactly', () => {
    expect(Array.from(toFloat32('F16', new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00])))).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Array.from(toFloat32('BF16', new Uint16Array([0x3f80, 0xc000, 0x4049])))).toEqual([1, -2, 3.140625]);
  });

  it('a 0-d tensor (scalar) has shape [] and one element', () => {
    const root = parseTorchFile(serializeTorchFile({ step: { dtype: 'F32', shape: [], data: new Float32Array([7]) } })).root as Map<string, TorchTensor>;
    expect(root.get('step')!.shape).toEqual([]);
    expect(Array.from(root.get('step')!.read().data as Float32Array)).toEqual([7]);
  });

  it('integers beyond 2^53 become BigInt, others stay numbers; floats, tuples, OrderedDicts keep their kind', () => {
    const value = new PyOrderedDict<unknown, unknown>([
      ['big', 2n ** 70n],
      ['negative', -(2n ** 60n)],
      ['safe', 2 ** 53 - 1],
      ['float', new PyFloat(1)],
      ['tuple', pyTuple([0.9, 0.999])],
      [3, 'int key'],
    ]);
    const root = parseTorchFile(serializeTorchFile(value)).root as Map<unknown, unknown>;
    expect(root).toBeInstanceOf(PyOrderedDict);
    expect(root.get('big')).toBe(2n ** 70n);
    expect(root.get('negative')).toBe(-(2n ** 60n));
    expect(root.get('safe')).toBe(2 ** 53 - 1);
    expect(root.get('float')).toBe(1);
    expect(root.get('tuple')).toBeInstanceOf(PyTuple);
    expect(root.get(3)).toBe('int key');
  });

  it('a __proto__ key is only a Map key: no prototype is reached', () => {
    // {'__proto__': {'polluted': True}}
    const pickle = bytesOf(0x80, 2, '}', '(', str('__proto__'), '}', '(', str('polluted'), 0x88, 'u', 'u', '.');
    const { value } = unpickle(pickle, noGlobals);
    expect(value).toBeInstanceOf(Map);
    expect(((value as Map<string, Map<string, boolean>>).get('__proto__')!).get('polluted')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    const json = flattenTorch(value).values;
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.keys(json)).toEqual(['']);
    expect(Object.hasOwn(json[''] as object, '__proto__')).toBe(true);
  });

  it('reads LONG1 two-complement and protocol-4 opcodes (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL)', () => {
    const pickle = bytesOf(0x80, 4, 0x95, [20, 0, 0, 0, 0, 0, 0, 0], ']', 0x94, '(', 0x8a, 2, [0x00, 0xff], 0x8c, 1, 'a', 0x94, 'h', 1, 'e', '.');
    expect(unpickle(pickle, noGlobals).value).toEqual([-256, 'a', 'a']);
    const stack = bytesOf(0x80, 4, 0x8c, 11, 'collections', 0x8c, 11, 'OrderedDict', 0x93, ')', 'R', '.');
    const found: string[] = [];
    expect(() => unpickle(stack, { findGlobal: (m, n) => { found.push(`${m}.${n}`); throw new TorchFormatError('refused'); } })).toThrow('refused');
    expect(found).toEqual(['collections.OrderedDict']);
  });
});

describe('malformed files', () => {
  const good = readFileSync(fixture('pytorch/tiny-probe.pth.tar'));
  const legacy = readFileSync(fixture('pytorch/tiny-pretrain-legacy.pth.tar'));

  it('a compressed entry is a clear error', () => {
    const bytes = new Uint8Array(good);
    // set the method of the first central-directory entry to 8 (deflate)
    const view = Buffer.from(bytes.buffer);
    const at = view.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    view.writeUInt16LE(8, at + 10);
    expect(() => parseTorchFile(bytes, 'x.pth')).toThrow(/x\.pth: entry 'tiny-probe\.pth\/data\.pkl': expected a stored \(uncompressed\) entry.*compression method 8 \(deflate\)/);
  });

  it('a record whose bytes do not match its CRC-32 is refused', () => {
    const bytes = new Uint8Array(good);
    const at = Buffer.from(bytes.buffer).indexOf(Buffer.from('classifier'));
    bytes[at] ^= 1; // inside data.pkl
    expect(() => parseTorchFile(bytes, 'flip.pth')).toThrow(/flip\.pth: record 'tiny-probe\.pth\/data\.pkl': expected CRC-32 0x[0-9a-f]{8}, received 0x[0-9a-f]{8}\. The file is corrupt/);
  });

  it('a truncated file is refused (zip and legacy)', () => {
    expect(() => parseTorchFile(good.subarray(0, good.length - 100), 'cut.pth')).toThrow(TorchFormatError);
    expect(() => parseTorchFile(good.subarray(0, 1000), 'cut.pth')).toThrow(/end-of-central-directory/);
    expect(() => parseTorchFile(legacy.subarray(0, legacy.length - 10), 'cut.pth')).toThrow(/storage '\d+': expected \d+ bytes .*The file is truncated/);
  });

  it('a wrong legacy magic number is refused', () => {
    const bytes = new Uint8Array(legacy);
    const at = Buffer.from(bytes.buffer).indexOf(Buffer.from([0x6c, 0xfc, 0x9c, 0x46]));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0x6d;
    expect(() => parseTorchFile(bytes, 'bad.pth')).toThrow(/bad\.pth: magic number: expected 0x1950a86a20f9469cfc6c/);
  });

  it('a file that is neither format, and the old tar format, are refused by name', () => {
    expect(() => parseTorchFile(new TextEncoder().encode('hello world'), 'x')).toThrow(/expected a torch.save file/);
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expect(() => parseTorchFile(tar, 'old.tar')).toThrow(/a tar archive \(the format of torch < 0\.4/);
  });

  it('reads Zip64 records (forced) the same as plain ones', () => {
    const value = { w: { dtype: 'F32' as const, shape: [2], data: new Float32Array([1, 2]) } };
    const root = parseTorchFile(serializeTorchFile(value, { forceZip64: true })).root as Map<string, TorchTensor>;
    expect(Array.from(root.get('w')!.read().data as Float32Array)).toEqual([1, 2]);
  });

  it('checks lengths against what remains, memo indices, nesting and globals', () => {
    expect(() => unpickle(bytesOf(0x80, 2, 'X', [0xff, 0xff, 0xff, 0x7f], 'abc'), noGlobals)).toThrow(/expected 2147483647 more bytes, received 3/);
    expect(() => unpickle(bytesOf(0x80, 2, 'h', 5, '.'), noGlobals)).toThrow(/a memo index that was stored \(0 entries\), received 5/);
    const deep = bytesOf(0x80, 2, ...Array(200).fill(']'), ...Array(199).fill('a'), '.');
    expect(() => unpickle(deep, noGlobals)).toThrow(/containers nested at most 100 deep/);
    expect(() => unpickle(bytesOf(0x80, 2, 'cos\nsystem\n', '.'), noGlobals)).toThrow(/refused os\.system/);
    expect(() => unpickle(bytesOf(0x80, 2, 'N', ')', 'R', '.'), noGlobals)).toThrow(/an allowed callable for REDUCE, received null/);
    expect(() => unpickle(bytesOf(0x80, 2, '}', '}', 'b', '.'), noGlobals)).toThrow(/an object of an allowed class for BUILD/);
    expect(() => unpickle(bytesOf(0x80, 2, 0x82, 1, '.'), noGlobals)).toThrow(/no EXT/);
  });
});

describe('lazy reads', () => {
  it('opening a file and reading the target encoder never reads the optimizer moments', async () => {
    const { bufferSource } = await import('./byte-source');
    const { loadZipFormat } = await import('./zip-format');
    const moment = { dtype: 'F32' as const, shape: [1 << 20], data: new Float32Array(1 << 20).fill(1) }; // 4 MiB
    const bytes = serializeTorchFile({
      target_encoder: new PyOrderedDict([['w', { dtype: 'F32' as const, shape: [256], data: new Float32Array(256).fill(2) }]]),
      opt: { state: new Map([[0, { exp_avg: moment, exp_avg_sq: moment }]]) },
    });
    const inner = bufferSource(bytes);
    let read = 0;
    const counting = { ...inner, read: (position: number, length: number) => ((read += length), inner.read(position, length)) };
    const { root } = loadZipFormat(counting);
    const afterOpen = read;
    const target = (root as Map<string, Map<string, TorchTensor>>).get('target_encoder')!;
    expect(Array.from(target.get('w')!.read().data as Float32Array).slice(0, 2)).toEqual([2, 2]);
    expect(afterOpen).toBeLessThan(70 * 1024); // the directory, the pickle, the tail: no storage
    expect(read - afterOpen).toBe(256 * 4 + 30); // the tensor's own bytes and its local header
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
  });
});

describe('the writer', () => {
  it('refuses what torch.load cannot read before creating a file, naming the path', async () => {
    const { existsSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { saveTorchFile } = await import('./save');
    const path = join(mkdtempSync(join(tmpdir(), 'torch-format-')), 'bad.pth');
    expect(() => saveTorchFile(path, { a: { b: [1, () => 2] } })).toThrow(/value\/a\/b\/1: expected a value torch\.load can read/);
    expect(() => saveTorchFile(path, { t: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/value\/t\.data\.length: expected 3/);
    expect(() => saveTorchFile(path, {}, { level: 9 } as never)).toThrow(/options\.level: expected one of prefix, forceZip64/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => saveTorchFile(path, cyclic)).toThrow(/a cycle/);
    expect(existsSync(path)).toBe(false);
    saveTorchFile(path, { t: { dtype: 'I8', shape: [], data: new Int8Array([-1]) } });
    expect(existsSync(path)).toBe(true);
  });
});
