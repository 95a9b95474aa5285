import type { ByteSource } from './byte-source';
import { fail } from '@vjepa/base';

/**
 * The browser stand-in of the file source (import `#file-source`, condition `browser`): a browser reads
 * no file by path, so a path is refused, naming it; pass the file's bytes instead.
 */
export function fileSource(path: string): ByteSource {
  fail('path', 'the bytes of the file in a browser (files are not read by path there)', path, 'Pass new Uint8Array(await file.arrayBuffer()) to parseTorchFile or readPretrainedStateDict');
}
