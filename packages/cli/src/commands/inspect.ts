import type { Command } from 'commander';
import { formatInspect, inspectFile } from '@vjepa/official';

/** `vjepa inspect`: list the tensors and values of a file or checkpoint folder. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('list a .safetensors, a .pth/.pt/.pth.tar (zip or legacy format), a vjepa train checkpoint folder or a Hugging Face V-JEPA 2 folder: format, tensors (name, dtype, shape) and values; for V-JEPA 2 files also the architecture and released size recognised')
    .argument('<file>', 'the file or folder')
    .option('--json', 'print one JSON object {format, architecture?, tensors: [{name, dtype, shape}], values}')
    .action((file: string, o: { json?: boolean }) => {
      const report = inspectFile(file);
      console.log(o.json ? JSON.stringify(report) : formatInspect(report));
    });
}
