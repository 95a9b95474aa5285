import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as browser from './browser';
import { crc32 } from './crc32.browser';
import { fileSource } from './file-source.browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: they read and write files by path. */
const NODE_ONLY = ['fileSource', 'openTorchFile', 'saveTorchFile'];
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/pytorch/${name}`, import.meta.url));

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['parseTorchFile', 'readPretrainedStateDict'] });

describe('browser CRC-32', () => {
  it('equals zlib.crc32 on hand cases, a fixture and continued runs', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
    const bytes = fixture('tiny-pretrain.pth.tar');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes) >>> 0);
    const half = bytes.length >> 1;
    expect(crc32(bytes.subarray(half), crc32(bytes.subarray(0, half)))).toBe(zlibCrc32(bytes) >>> 0);
  });
});

describe('browser file source', () => {
  it('refuses a path, naming it', () => {
    expect(() => fileSource('vitl16.pth.tar')).toThrow(
      'path: expected the bytes of the file in a browser (files are not read by path there), received "vitl16.pth.tar". Pass new Uint8Array(await file.arrayBuffer()) to parseTorchFile or readPretrainedStateDict',
    );
  });
});

describe('readPretrainedStateDict of bytes', () => {
  it('reads the same target_encoder from bytes, an ArrayBuffer and a parsed file as from the path', () => {
    const path = new URL('../../../fixtures/pytorch/tiny-pretrain.pth.tar', import.meta.url).pathname;
    const fromPath = node.readPretrainedStateDict(path);
    const bytes = new Uint8Array(fixture('tiny-pretrain.pth.tar'));
    const parsed = browser.parseTorchFile(bytes.buffer, 'tiny-pretrain.pth.tar');
    for (const result of [browser.readPretrainedStateDict(bytes), browser.readPretrainedStateDict(bytes.buffer), browser.readPretrainedStateDict(parsed)]) {
      expect(result.key).toBe('target_encoder');
      expect([...result.state.keys()]).toEqual([...fromPath.state.keys()]);
      expect(result.state.get('pos_embed')!.shape).toEqual([1, 36, 48]);
      for (const [key, tensor] of fromPath.state) expect(result.state.get(key)!.data).toEqual(tensor.data);
    }
    // A parsed file passed in stays open: its tensors still read.
    const target = (parsed.root as Map<string, Map<string, node.TorchTensor>>).get('target_encoder')!;
    expect(target.get('module.backbone.norm.bias')!.readFloat32()).toEqual(fromPath.state.get('norm.bias')!.data);
    parsed.close();
  });

  it('refuses a malicious pickle from bytes, naming posix.system and the file', () => {
    const bytes = fixture('malicious.pth');
    expect(() => browser.readPretrainedStateDict(browser.parseTorchFile(bytes, 'malicious.pth'))).toThrow(browser.UnsafeGlobalError);
    expect(() => browser.parseTorchFile(bytes, 'malicious.pth')).toThrow(/malicious\.pth.*posix\.system/s);
  });

  it('refuses what is neither bytes nor a name', () => {
    expect(() => browser.parseTorchFile([1, 2] as never, 'x.pth')).toThrow('x.pth: bytes: expected a Uint8Array or an ArrayBuffer');
    expect(() => browser.parseTorchFile(new Uint8Array(4), '')).toThrow('name: expected a non-empty file name');
    expect(() => browser.readPretrainedStateDict(42 as never)).toThrow('file: expected a path, the bytes of a file or an opened TorchFile, received 42');
  });
});
