import type { Command } from 'commander';
import { fail, type AcceleratorRequest, type BackendRequest } from '@vjepa/core';
import { isTorchPath, runParity } from '@vjepa/official';
import { acceleratorOption, backendOption } from '../options';

/** `vjepa parity`: compare our models with a reference file of the official code. */
export function register(program: Command): void {
  program
    .command('parity')
    .description('compare our models with a reference file of the official PyTorch code; exits 1 on any error over tolerance')
    .argument('<file>', 'reference .safetensors file or its .json config (V-JEPA 1 or 2: the JSON says which), or an official pretraining .pth.tar / .pt whose weights to check against --reference')
    .option('--reference <file>', 'with a .pth.tar: the reference .safetensors of the same weights', 'fixtures/reference/tiny.safetensors')
    .option('--weights <file|dir>', "an official pretraining .pth.tar / .pt, or (V-JEPA 2 fixtures) a Hugging Face VJEPA2Model or classifier folder, whose encoder, predictor (and target encoder of a .pt) replace the fixture's; the configuration stays the fixture's")
    .option('--probe-weights <file|dir>', "an official attentive-probe .pth.tar / .pt (V-JEPA 2: classifiers[0]), or a Hugging Face V-JEPA 2 classifier folder, whose probe replaces probe/*")
    .addOption(backendOption())
    .addOption(acceleratorOption())
    .action(async (file: string, o: { reference: string; weights?: string; probeWeights?: string; backend: BackendRequest; accelerator: AcceleratorRequest }) => {
      const fromTorch = isTorchPath(file);
      if (fromTorch && o.weights !== undefined) fail('--weights', 'no value when FILE is itself the weights (a .pth.tar checked against --reference)', o.weights);
      const weights = { weights: fromTorch ? file : o.weights, probeWeights: o.probeWeights };
      const report = await runParity(fromTorch ? o.reference : file, o.backend, o.accelerator, weights);
      const { file: _file, ...rest } = report;
      console.log(JSON.stringify({ file, ...rest }, null, 2));
      if (!report.ok) process.exitCode = 1;
    });
}
