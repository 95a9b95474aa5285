// `vjepa inspect` reads safetensors headers with core's checked reader: a malformed header, an unknown
// dtype, offsets past the end, a file cut in half or a 0-byte file is exit 1 and one line naming the file
// and the fault (it used to be a TypeError, or exit 0 and "valid").
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSafetensors } from '@vjepa/core';
import { fresh, vjepa } from '../run-cli.test-util';

const dir = fresh();
const good = serializeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }, { note: 'x' });

/** A safetensors file of `header` (JSON text) followed by `data` bytes. */
function file(name: string, header: string, data = 0): string {
  const json = Buffer.from(header, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, json, Buffer.alloc(data)]));
  return path;
}

describe('vjepa inspect on damaged safetensors files', () => {
  it('lists a good file (exit 0)', () => {
    const path = join(dir, 'good.safetensors');
    writeFileSync(path, good);
    const result = vjepa('inspect', path, '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ format: 'safetensors', tensors: [{ name: 'w', dtype: 'F32', shape: [2, 3] }], values: { note: 'x' } });
  }, 60_000);

  it.each([
    ['a header that is a list', () => file('list.safetensors', '[1,2,3]'), /header: expected a JSON object/],
    ['an unknown dtype', () => file('f33.safetensors', '{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}', 8), /tensor "w" dtype: expected one of F64, F32, .*, received "F33"/],
    ['offsets past the end of the file', () => file('past.safetensors', '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8), /tensor "w" data_offsets: .*truncated/i],
    ['a file cut in half', () => {
      const path = join(dir, 'half.safetensors');
      writeFileSync(path, good.subarray(0, Math.floor(good.length / 2)));
      return path;
    }, /header length: expected at most the \d+ bytes that follow it|truncated/],
    ['a 0-byte file', () => {
      const path = join(dir, 'empty.safetensors');
      writeFileSync(path, '');
      return path;
    }, /empty\.safetensors: file length: expected at least 8 bytes \(the little-endian u64 header length\), received 0/],
  ])('refuses %s: exit 1, one line naming the file', (_, make, message) => {
    const path = make();
    const result = vjepa('inspect', path);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(message);
  }, 60_000);
});

describe('vjepa inspect on V-JEPA 2 files', () => {
  it.each([
    ['fixtures/vjepa2/tiny-hf-classifier', /^architecture: Hugging Face VJEPA2ForVideoClassification \(encoder from 'encoder'\): V-JEPA 2 encoder \(no released size\): width 24, depth 3, 2 heads/m],
    ['fixtures/vjepa2/tiny-pretrain.pt', /^architecture: official V-JEPA 2 pretraining checkpoint .*width 24, depth 3, heads not in the file/m],
    ['fixtures/vjepa2/tiny-probe.pt', /^architecture: official V-JEPA 2 attentive-probe checkpoint: attentive probe: width 24, depth 4/m],
  ])('%s: names the architecture (exit 0)', (path, line) => {
    const result = vjepa('inspect', path);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(line);
  }, 60_000);
});
