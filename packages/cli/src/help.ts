/**
 * The help of `vjepa`: each option's default and accepted values said once (commander adds its own
 * `(choices: …, default: …)` after descriptions that already name them), examples under each command's
 * options, and `vjepa help NAME` for a command that does not exist is an unknown command, not the help.
 *
 * @packageDocumentation
 */
import { Command, CommanderError, type Help, type Option } from 'commander';
import { closestKey } from '@vjepa/core';

/** Example command lines per command, printed under its options. */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  vjepa: ['vjepa doctor', 'vjepa train --steps 60 --out runs/first', 'vjepa probe --checkpoint runs/first', 'vjepa train --help'],
  parity: [
    'vjepa parity fixtures/reference/tiny.safetensors',
    'vjepa parity vitl16.pth.tar --reference vitl16-reference.safetensors',
    'vjepa parity fixtures/vjepa2/tiny.json --weights fixtures/vjepa2/tiny-hf --probe-weights fixtures/vjepa2/tiny-hf-classifier',
  ],
  train: [
    'vjepa train --steps 60 --out runs/first',
    'vjepa train --data videos/ --model small --steps 2000 --out runs/small --resume-if-exists   # the same line after every preemption',
    'vjepa train --out runs/first --resume --steps 120   # continue a finished run for longer',
  ],
  probe: ['vjepa probe --checkpoint runs/first', 'vjepa probe --checkpoint vitl16.pth.tar --train train.csv --val val.csv --json > top1.jsonl'],
  finetune: [
    'vjepa finetune --checkpoint runs/first --train synthetic:motion-noise --val synthetic:motion-noise --label direction --labels-per-class 16',
    'vjepa finetune --checkpoint random --model tiny --depth 6 --train train.csv --val val.csv --steps 300 --out runs/ft-random',
  ],
  surprise: ['vjepa surprise runs/first --baseline untrained,frame-diff,tracker', 'vjepa surprise runs/first --pairs pairs.csv --json'],
  classify: [
    'vjepa classify clip.mp4 --model vjepa2-vitl-fpc16-256-ssv2/',
    'vjepa classify a.mp4 b.mp4 --checkpoint vitl.pt --probe-checkpoint ssv2-vitl-16x2x3.pt --json',
  ],
  embed: ['vjepa embed clip1.mp4 clip2.mp4 --checkpoint runs/first --pool --out features.safetensors', 'vjepa embed videos/ --checkpoint runs/first --skip-unreadable'],
  decode: [
    'vjepa decode train --checkpoint runs/first --steps 300 --out runs/first-decoder',
    'vjepa decode show --checkpoint runs/first --decoder runs/first-decoder --video synthetic:motion-noise --samples 3 --out sheet.png',
  ],
  inspect: ['vjepa inspect runs/first', 'vjepa inspect vitl16.pth.tar --json'],
  convert: ['vjepa convert vitl16.pth.tar vitl16.safetensors', 'vjepa convert runs/first first.pth.tar', 'vjepa convert vitl16.pth.tar runs/from-official'],
  doctor: ['vjepa doctor'],
  bench: ['vjepa bench', 'vjepa bench --what forward --backends cpu,wasm --runs 3 --json'],
};

/** The printed form of a default: a list joined by commas, a string without quotes. */
function shown(option: Option): string {
  if (option.defaultValueDescription !== undefined) return option.defaultValueDescription;
  const value: unknown = option.defaultValue;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * An option's help text: its description, then what it does not already say of its accepted values and
 * its default, once: `tfjs backend (one of auto, tensorflow, wasm, cpu; default auto)`.
 */
export function optionDescription(option: Option): string {
  const text = option.description;
  const extras: string[] = [];
  const choices = option.argChoices;
  if (choices && !choices.every((choice) => text.includes(choice))) extras.push(`one of ${choices.join(', ')}`);
  if (option.defaultValue !== undefined && !/\bdefault\b/.test(text)) extras.push(`default ${shown(option)}`);
  return extras.length === 0 ? text : `${text} (${extras.join('; ')})`;
}

/** Applies {@link optionDescription} and the {@link EXAMPLES} to `command`. */
export function configureHelp(command: Command): void {
  command.configureHelp({ optionDescription: (option: Option) => optionDescription(option) } as Partial<Help>);
  const examples = EXAMPLES[command.name()];
  if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/**
 * Refuses `vjepa help NAME` for a command `program` does not have, as commander refuses `vjepa NAME`:
 * `unknown command 'trian' (Did you mean train?)`, exit 2 (commander would print the whole help instead).
 */
export function checkHelpTarget(program: Command, args: readonly string[]): void {
  const operands = args.filter((arg) => !arg.startsWith('-'));
  if (operands[0] !== 'help' || operands[1] === undefined) return;
  const names = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
  if (names.includes(operands[1])) return;
  const near = closestKey(operands[1], names);
  throw new CommanderError(1, 'commander.unknownCommand', `error: unknown command '${operands[1]}'${near ? `\n(Did you mean ${near}?)` : ''}`);
}
