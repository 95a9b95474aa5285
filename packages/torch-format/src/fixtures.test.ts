import { existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flattenTorch } from './flatten';
import { openTorchFile } from './load';
import { TorchTensor } from './tensor';
import { UnsafeGlobalError } from './allow-list';
import { unpickle, AllowedGlobalBase } from './unpickler';
import { fixture, readSafetensorsBytes } from './test-helpers.test-util';
import { readFileSync } from 'node:fs';
import { bufferSource } from './byte-source';
import { readZipDirectory, entryDataOffset } from './zip-reader';

const reference = readSafetensorsBytes(fixture('reference/tiny.safetensors'));

/** `encoder/module.backbone.x` → `encoder/x`; `classifier/module.x` → `probe/x`. */
function referenceName(name: string): string | null {
  const match = /^(encoder|predictor|target_encoder|classifier)\/(.*)$/.exec(name);
  if (!match) return null;
  const key = match[2].replace(/^module\./, '').replace(/^backbone\./, '');
  return `${match[1] === 'classifier' ? 'probe' : match[1]}/${key}`;
}

function expectTwins(path: string, groups: string[]): number {
  const file = openTorchFile(fixture(path));
  try {
    const { tensors } = flattenTorch(file.root);
    let compared = 0;
    for (const [name, tensor] of tensors) {
      const twin = referenceName(name);
      if (!twin) continue;
      const expected = reference.get(twin);
      expect(expected, `${name} → ${twin}`).toBeDefined();
      expect(tensor.dtype).toBe(expected!.dtype);
      expect([...tensor.shape]).toEqual(expected!.shape);
      expect(Buffer.from(tensor.readBytes()).equals(Buffer.from(expected!.bytes)), name).toBe(true);
      compared++;
    }
    // Every reference tensor of these groups has its twin in the file.
    const wanted = [...reference.keys()].filter((k) => groups.includes(k.split('/')[0]));
    const found = [...tensors.keys()].map(referenceName).filter((n): n is string => n !== null);
    expect(found.sort()).toEqual(wanted.sort());
    return compared;
  } finally {
    file.close();
  }
}

describe('the official fixtures', () => {
  it('zip format: every tensor of tiny-pretrain.pth.tar equals its tiny.safetensors twin bit for bit', () => {
    expect(expectTwins('pytorch/tiny-pretrain.pth.tar', ['encoder', 'predictor', 'target_encoder'])).toBeGreaterThan(50);
  });

  it('legacy format: every tensor of tiny-pretrain-legacy.pth.tar equals its twin bit for bit', () => {
    expect(expectTwins('pytorch/tiny-pretrain-legacy.pth.tar', ['encoder', 'predictor', 'target_encoder'])).toBeGreaterThan(50);
  });

  it('probe checkpoint: every classifier tensor equals its probe/* twin bit for bit', () => {
    expect(expectTwins('pytorch/tiny-probe.pth.tar', ['probe'])).toBe([...reference.keys()].filter((k) => k.startsWith('probe/')).length);
  });

  it('reads the archive folder the file uses, the values, and the optimizer state', () => {
    const file = openTorchFile(fixture('pytorch/tiny-pretrain.pth.tar'));
    expect(file.format).toBe('zip');
    expect(file.prefix).toBe('tiny-pretrain.pth');
    const { tensors, values } = flattenTorch(file.root);
    expect(values).toMatchObject({ scaler: null, epoch: 3, loss: 0.4321, batch_size: 2, world_size: 1, lr: 0.000625 });
    const groups = values['opt/param_groups'] as { betas: number[]; params: number[] }[];
    expect(groups[0].betas).toEqual([0.9, 0.999]);
    const step = tensors.get('opt/state/0/step')!;
    expect(step.shape).toEqual([]);
    expect(step.read().data.length).toBe(1);
    expect(tensors.get('opt/state/0/exp_avg')!.shape).toEqual(tensors.get(`encoder/${[...(file.root as Map<string, Map<string, TorchTensor>>).get('encoder')!.keys()][1]}`)!.shape);
    const encoder = (file.root as Map<string, unknown>).get('encoder');
    expect(encoder).toBeInstanceOf(Map);
    file.close();
    const legacy = openTorchFile(fixture('pytorch/tiny-pretrain-legacy.pth.tar'));
    expect(legacy.format).toBe('legacy');
    expect(flattenTorch(legacy.root).values).toEqual(values);
    legacy.close();
  });

  it('malicious.pth is refused naming posix.system, and nothing ran', () => {
    const marker = '/tmp/vjepa-pickle-ran-code';
    rmSync(marker, { force: true });
    let error: unknown;
    try {
      openTorchFile(fixture('pytorch/malicious.pth'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsafeGlobalError);
    expect((error as UnsafeGlobalError).qualifiedName).toBe('posix.system');
    expect(String(error)).toContain("'posix.system'");
    expect(existsSync(marker)).toBe(false);

    // The refusal happens at the GLOBAL opcode: the REDUCE that would call it is never reached.
    const source = bufferSource(readFileSync(fixture('pytorch/malicious.pth')));
    const entry = readZipDirectory(source).get('malicious/data.pkl')!;
    const pickle = source.read(entryDataOffset(source, entry, source.size), entry.size);
    const calls: string[] = [];
    const looked: string[] = [];
    expect(() =>
      unpickle(pickle, {
        findGlobal(module, name) {
          looked.push(`${module}.${name}`);
          if (module === 'posix') throw new UnsafeGlobalError(`${module}.${name}`, 'test');
          return new AllowedGlobalBase(`${module}.${name}`, (args) => (calls.push(`${module}.${name}`), args));
        },
        persistentLoad: () => 'storage',
      }),
    ).toThrow(UnsafeGlobalError);
    expect(looked).toEqual(['torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'collections.OrderedDict', 'posix.system']);
    expect(calls).toEqual(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2']);
  });
});

describe('readPretrainedStateDict', () => {
  it('takes target_encoder, else encoder, strips module./backbone. and gives the reference values as float32', async () => {
    const { readPretrainedStateDict } = await import('./pretrained');
    for (const file of ['tiny-pretrain.pth.tar', 'tiny-pretrain-legacy.pth.tar']) {
      const { key, state } = readPretrainedStateDict(fixture(`pytorch/${file}`));
      expect(key).toBe('target_encoder');
      const expected = [...reference.keys()].filter((k) => k.startsWith('target_encoder/'));
      expect([...state.keys()].sort()).toEqual(expected.map((k) => k.slice('target_encoder/'.length)).sort());
      for (const [name, tensor] of state) {
        const twin = reference.get(`target_encoder/${name}`)!;
        expect(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(Buffer.from(twin.bytes))).toBe(true);
      }
    }
    expect(readPretrainedStateDict(fixture('pytorch/tiny-probe.pth.tar'), ['classifier']).state.has('pooler.query_tokens')).toBe(true);
    expect(() => readPretrainedStateDict(fixture('pytorch/tiny-probe.pth.tar'))).toThrow(/expected an entry 'target_encoder' or 'encoder', received \["classifier"/);
  });
});

describe('views, every dtype and protocol 4, as PyTorch 1.13 wrote them', () => {
  it.each(['views-protocol4.pth', 'views-legacy.pth'])('%s', (name) => {
    const file = openTorchFile(fixture(`pytorch/${name}`));
    const { tensors, values } = flattenTorch(file.root);
    const data = (key: string) => Array.from(tensors.get(`tensors/${key}`)!.read().data as ArrayLike<number | bigint>);
    const dtypes = Object.fromEntries([...tensors].map(([k, t]) => [k.replace('tensors/', ''), t.dtype]));
    expect(dtypes).toMatchObject({ f64: 'F64', f32: 'F32', f16: 'F16', bf16: 'BF16', i64: 'I64', i32: 'I32', i16: 'I16', i8: 'I8', u8: 'U8', bool: 'BOOL' });
    expect(data('f64')).toEqual([1.5, -2]);
    expect(data('f32')).toEqual([1.5, -2, Math.fround(1e-30)]);
    expect(Array.from(tensors.get('tensors/f16')!.readFloat32())).toEqual([1, -2, 0.5]);
    expect(Array.from(tensors.get('tensors/bf16')!.readFloat32())).toEqual([1, -2, 3.140625]);
    expect(data('i64')).toEqual([1n, -(2n ** 62n), 2n ** 53n + 1n]);
    expect(data('i32')).toEqual([-7, 2 ** 31 - 1]);
    expect(data('i16')).toEqual([-300, 32767]);
    expect(data('i8')).toEqual([-128, 127]);
    expect(data('u8')).toEqual([0, 255]);
    expect(data('bool')).toEqual([1, 0, 1]);
    expect(tensors.get('tensors/scalar')!.shape).toEqual([]);
    expect(data('scalar')).toEqual([3.25]);
    expect(tensors.get('tensors/param')!.requiresGrad).toBe(true);
    expect(data('param')).toEqual([0.25, 0.5]);
    // views of one storage: base = arange(12).reshape(3, 4)
    const base = tensors.get('tensors/base')!;
    for (const view of ['transposed', 'row', 'column', 'block']) expect(tensors.get(`tensors/${view}`)!.storage.key).toBe(base.storage.key);
    expect(tensors.get('tensors/transposed')!.stride).toEqual([1, 4]);
    expect(data('transposed')).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(data('row')).toEqual([4, 5, 6, 7]);
    expect(data('column')).toEqual([2, 6, 10]);
    expect(tensors.get('tensors/block')!.shape).toEqual([2, 2]);
    expect(data('block')).toEqual([5, 6, 9, 10]);
    expect(base.storage.location).toBe('cpu');
    // values: BigInt beyond 2^53 (as decimal strings in JSON), a set, a __proto__ key kept as a key
    const meta = (file.root as Map<string, Map<string, unknown>>).get('meta')!;
    expect(meta.get('big')).toBe(2n ** 70n);
    expect(meta.get('negative_big')).toBe(-(2n ** 64n));
    expect(meta.get('neg')).toBe(-5);
    expect(meta.get('set')).toEqual(new Set([3]));
    expect((meta.get('__proto__') as Map<string, boolean>).get('polluted')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(values.meta).toMatchObject({ tuple: [1, 2.5], big: '1180591620717411303424', none: null, set: [3], flag: true });
    file.close();
  });
});
