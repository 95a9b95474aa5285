import type { Command } from 'commander';
import { formatInspect, inspectFile } from '@vjepa/official';

/** `vjepa inspect`: list the tensors and values of a file or checkpoint folder. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('list a .safetensors, a .pth/.pt/.pth.tar (zip or legacy format) or a vjepa train checkpoint folder: format, tensors (name, dtype, shape) and values')
    .argument('<file>', 'the file or folder')
    .option('--json', 'print one JSON object {format, tensors: [{name, dtype, shape}], values}')
    .action((file: string, o: { json?: boolean }) => {
      const report = inspectFile(file);
      console.log(o.json ? JSON.stringify(report) : formatInspect(report));
    });
}
