import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, UsageError, VjepaError } from '@vjepa/base';
import { describe, expect, it } from 'vitest';
import { TorchFormatError } from './errors';
import { UnsafeGlobalError } from './allow-list';
import { openTorchFile, parseTorchFile } from './load';
import { PickleTruncatedError } from './pickle-cursor';
import { readPretrainedStateDict } from './pretrained';
import { saveTorchFile } from './save-file';
import { serializeTorchFile } from './save';
import type { TorchTensor } from './tensor';
import { fixture } from './test-helpers.test-util';

/** The error `run` throws. */
function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('error kinds', () => {
  it.each([
    ['TorchFormatError', new TorchFormatError('m')],
    ['UnsafeGlobalError', new UnsafeGlobalError('posix.system', 'x.pth')],
    ['PickleTruncatedError', new PickleTruncatedError('m')],
  ])('%s is a CheckpointError of kind checkpoint, named after its class', (name, error) => {
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toBeInstanceOf(VjepaError);
    expect(error).toBeInstanceOf(TorchFormatError);
    expect([error.kind, error.name]).toEqual(['checkpoint', name]);
  });

  it('a damaged or unsafe file is a TorchFormatError (checkpoint)', () => {
    const good = new Uint8Array(readFileSync(fixture('pytorch/tiny-probe.pth.tar')));
    expect(caught(() => parseTorchFile(good.subarray(0, 1000), 'cut.pth'))).toBeInstanceOf(TorchFormatError);
    expect(caught(() => parseTorchFile(new Uint8Array(16), 'zeros.pth'))).toMatchObject({
      kind: 'checkpoint',
      message: 'zeros.pth: format: expected a torch.save file (zip archive "PK\\x03\\x04" or legacy pickle "\\x80\\x02"), received bytes 00 00 00 00',
    });
    expect(caught(() => openTorchFile(fixture('pytorch/malicious.pth')))).toBeInstanceOf(UnsafeGlobalError);
    expect(caught(() => readPretrainedStateDict(fixture('pytorch/tiny-probe.pth.tar')))).toBeInstanceOf(TorchFormatError);
  });

  it('a bad argument is a UsageError, not a TorchFormatError', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'torch-format-')), 'x.pth');
    for (const run of [
      () => openTorchFile(''),
      () => parseTorchFile([1, 2] as never, 'x.pth'),
      () => readPretrainedStateDict(42 as never),
      () => readPretrainedStateDict(new Uint8Array(0), []),
      () => serializeTorchFile({ f: () => 1 }),
      () => saveTorchFile(path, {}, { level: 9 } as never),
      () => openTorchFile(tmpdir()),
    ]) {
      const error = caught(run);
      expect(error).toBeInstanceOf(UsageError);
      expect(error).not.toBeInstanceOf(TorchFormatError);
    }
    expect(caught(() => serializeTorchFile({ f: function step() {} }))).toMatchObject({
      message: 'value/f: expected a value torch.load can read (tensor, dict, list, tuple, number, string, boolean, null), received function step',
    });
  });

  it('reading a closed file is a UsageError', () => {
    const path = fixture('pytorch/tiny-probe.pth.tar');
    const file = openTorchFile(path);
    const [tensor] = (file.root as Map<string, Map<string, TorchTensor>>).get('classifier')!.values();
    file.close();
    expect(caught(() => tensor.readBytes())).toMatchObject({ kind: 'usage', message: `${path}: the file was closed; open it again to read tensors` });
  });
});

describe('saveTorchFile', () => {
  it('writes atomically through @vjepa/base: no temporary file is left, a bad value leaves no file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'torch-format-'));
    const path = join(directory, 'tiny.pth');
    expect(() => saveTorchFile(path, { f: () => 1 })).toThrow(UsageError);
    expect(readdirSync(directory)).toEqual([]);
    saveTorchFile(path, { t: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } });
    saveTorchFile(path, { t: { dtype: 'F32', shape: [1], data: Float32Array.of(3) } });
    expect(readdirSync(directory)).toEqual(['tiny.pth']);
    const file = openTorchFile(path);
    expect((file.root as Map<string, { readFloat32(): Float32Array }>).get('t')!.readFloat32()).toEqual(Float32Array.of(3));
    file.close();
  });
});
