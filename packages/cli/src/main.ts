import { Command, Option } from 'commander';
import { runParity } from './parity/run';
import { runBench } from './bench';

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'];

function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend').choices(BACKENDS).default('auto');
}

/** Builds the `vjepa` command line. */
export function createProgram(): Command {
  const program = new Command('vjepa').description('V-JEPA for TypeScript: pretrain, probe, embed and check video encoders.');

  program
    .command('parity')
    .description('compare our models with a reference file of the official PyTorch code; exits 1 on any error over tolerance')
    .argument('<file>', 'reference .safetensors file, with its .json config beside it')
    .addOption(backendOption())
    .action(async (file: string, options: { backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu' }) => {
      const report = await runParity(file, options.backend);
      const { file: _file, ...rest } = report;
      console.log(JSON.stringify({ file, ...rest }, null, 2));
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('bench')
    .description('time an encoder forward and forward+backward (ViT dim 192, depth 6, 3 heads; 16×64×64 clips, batch 4)')
    .option('--backends <list>', 'comma-separated backends', 'wasm,cpu')
    .option('--runs <n>', 'timed runs per figure (median reported)', '10')
    .option('--batch <n>', 'clips per batch', '4')
    .action(async (options: { backends: string; runs: string; batch: string }) => {
      const results = await runBench({
        backends: options.backends.split(',') as ('wasm' | 'cpu' | 'tensorflow' | 'auto')[],
        runs: Number(options.runs),
        batch: Number(options.batch),
      });
      for (const r of results) {
        console.log(
          `${r.backend.padEnd(10)} forward ${r.forwardMs.toFixed(1)} ms (${r.forwardGflops.toFixed(1)} GFLOP/s)  ` +
            `forward+backward ${r.forwardBackwardMs.toFixed(1)} ms (${r.forwardBackwardGflops.toFixed(1)} GFLOP/s)  ` +
            `matmuls ${r.matmuls}, batched ${r.batchedMatmuls}`,
        );
      }
      console.log(JSON.stringify(results));
    });

  return program;
}

/** Runs the `vjepa` command with `argv` (default: the process's). */
export async function main(argv: string[] = process.argv): Promise<void> {
  await createProgram().parseAsync(argv);
}
