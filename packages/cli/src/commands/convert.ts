import type { Command } from 'commander';
import type { BackendRequest } from '@vjepa/core';
import { runConvert } from '@vjepa/official';
import { backendOption, headsOption, integer, oneOf, option } from '../options';

/** `vjepa convert`: between official PyTorch files, safetensors and our run folders. */
export function register(program: Command): void {
  program
    .command('convert')
    .description('convert by extension: .pth* → .safetensors (lossless); a vjepa train folder → .pth.tar (official layout); an official .pth.tar → a checkpoint folder (for vjepa train --resume)')
    .argument('<in>', 'a .pth/.pt/.pth.tar file, or a vjepa train output folder or checkpoint directory')
    .argument('<out>', 'a .safetensors file, a .pth.tar file, or a folder')
    .addOption(option('--ipe <n>', "to .pth.tar: iterations per epoch of the official config, for its epoch field (default 300; a checkpoint imported from an official file and not trained since keeps the file's epoch)", integer(1)))
    .addOption(option('--scaler <state>', "to .pth.tar: 'none', or 'fresh' (a new GradScaler's state, for official runs with mixed precision)", oneOf(['none', 'fresh'] as const), 'none'))
    .addOption(headsOption())
    .addOption(option('--frames <n>', 'from an official .pth/.pt: frames per clip, where the file cannot tell (V-JEPA 2; default 16)', integer(2)))
    .addOption(option('--image-size <px>', 'from an official V-JEPA 2 .pt: crop size in pixels (no positional table tells it; default 256, 384 when the file name says 384)', integer(1)))
    .addOption(backendOption())
    .action(async (input: string, output: string, o: { ipe?: number; scaler: 'none' | 'fresh'; heads?: number; frames?: number; imageSize?: number; backend: BackendRequest }) => {
      await runConvert(input, output, { ipe: o.ipe, scaler: o.scaler, heads: o.heads, frames: o.frames, imageSize: o.imageSize, backend: o.backend });
    });
}
