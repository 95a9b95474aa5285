import { existsSync, statSync } from 'node:fs';
import { checkOutputPath, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
import { readRunState } from '@vjepa/trainer';
import { flattenTorch, openTorchFile } from '@vjepa/torch-format';
import { officialToFolder } from './from-official';
import type { InferOverrides } from './infer-encoder';
import { writeSafetensorsStreaming } from './safetensors-stream';
import { folderToOfficial, type ToOfficialOptions } from './to-official';

/** Options of {@link runConvert}. */
export interface ConvertOptions extends ToOfficialOptions, InferOverrides {
  log?: (line: string) => void;
  /** Where warnings go, e.g. a damaged newest checkpoint skipped for an older one (default `console.error`). */
  warn?: (line: string) => void;
  /** tfjs backend for the conversions that build models (default `auto`). */
  backend?: BackendRequest;
}

const TORCH = /\.(pth|pt|pth\.tar|ckpt)$/i;
const CONVERT_KEYS = optionKeys<ConvertOptions>({ ipe: true, scaler: true, heads: true, frames: true, imageSize: true, log: true, warn: true, backend: true });

/**
 * `vjepa convert IN OUT`, formats by extension: `.pth*` → `.safetensors` (every tensor under its
 * `/`-joined name and own dtype, the other values as JSON in `__metadata__`); a `vjepa train` folder or
 * checkpoint directory → `.pth.tar` in the official pretraining layout; an official `.pth.tar` → a
 * checkpoint folder of ours (OUT without a file extension).
 */
export async function runConvert(input: string, output: string, options: ConvertOptions = {}): Promise<string> {
  for (const key of Object.keys(options)) if (!(CONVERT_KEYS as readonly string[]).includes(key)) fail(`options.${key}`, `one of ${CONVERT_KEYS.join(', ')}`, key);
  const log = options.log ?? console.log;
  if (!existsSync(input)) fail('IN', 'an existing file or folder', input);
  const folderIn = statSync(input).isDirectory();
  const warn = options.warn ?? ((line: string) => console.error(line));
  // OUT is checked before anything is read or built: a folder for a checkpoint, else a file in an existing folder.
  if (!folderIn && TORCH.test(input) && !/\.[a-z]+$/i.test(output)) checkOutputPath('OUT', output, 'folder');
  else checkOutputPath('OUT', output, 'file');
  if (!folderIn && TORCH.test(input) && output.endsWith('.safetensors')) {
    const file = openTorchFile(input);
    try {
      const { tensors, values } = flattenTorch(file.root);
      const metadata: Record<string, string> = { format: `pytorch-${file.format}` };
      for (const [key, value] of Object.entries(values)) metadata[key] = JSON.stringify(value);
      writeSafetensorsStreaming(
        output,
        [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, bytes: () => t.readBytes() })),
        metadata,
      );
      log(`wrote ${tensors.size} tensors (dtypes kept) and ${Object.keys(values).length} values to ${output}`);
    } finally {
      file.close();
    }
    return output;
  }
  if (folderIn && TORCH.test(output)) {
    // The checkpoint is chosen here, so that falling back past a damaged newest one is said, not silent.
    const read = readRunState(input, { onWarning: (message) => warn(`warning: ${message}`) });
    if (!read) fail('IN', 'a vjepa train output folder or checkpoint directory holding a checkpoint', input);
    await selectBackend(options.backend ?? 'auto');
    const { dir, states, epoch } = folderToOfficial(read.dir, output, { ipe: options.ipe, scaler: options.scaler });
    log(`wrote ${output} from ${dir}: official layout, ${states} AdamW states in 4 groups, epoch ${epoch}`);
    return output;
  }
  if (!folderIn && TORCH.test(input) && !/\.[a-z]+$/i.test(output)) {
    await selectBackend(options.backend ?? 'auto');
    const { dir, step } = officialToFolder(input, output, options);
    log(`wrote checkpoint ${dir} (step ${step}); continue with: vjepa train --out ${output} --resume`);
    return dir;
  }
  fail('IN OUT', 'a .pth* file and a .safetensors file, a vjepa train folder and a .pth.tar file, or a .pth.tar file and a folder', `${input} → ${output}`);
}
