import { Command } from 'commander';
import { register as bench } from './commands/bench';
import { register as classify } from './commands/classify';
import { register as convert } from './commands/convert';
import { register as decode } from './commands/decode';
import { register as doctor } from './commands/doctor';
import { register as embed } from './commands/embed';
import { register as finetune } from './commands/finetune';
import { register as inspect } from './commands/inspect';
import { register as parity } from './commands/parity';
import { register as probe } from './commands/probe';
import { register as surprise } from './commands/surprise';
import { register as train } from './commands/train';
import { checkHelpTarget, configureHelp } from './help';

/** A command and every command below it (`decode train`, …). */
const withSubcommands = (command: Command): Command[] => [command, ...command.commands.flatMap(withSubcommands)];

/** Builds the `vjepa` command line: one command per file of `commands/`, in the order of the help. */
export function createProgram(): Command {
  const program = new Command('vjepa').description('V-JEPA for TypeScript: pretrain, probe, fine-tune, score surprise, classify, embed, decode and check video encoders.');
  for (const register of [parity, train, probe, finetune, surprise, classify, embed, decode, inspect, convert, doctor, bench]) register(program);
  for (const command of [program, ...program.commands]) configureHelp(command);
  return program;
}

/** Runs the `vjepa` command with `argv` (default: the process's). */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = createProgram().option('--verbose', 'print the stack trace of an error');
  // Errors (commander's own included) are thrown to the caller, which prints one line and sets the exit status.
  for (const command of withSubcommands(program)) command.exitOverride().configureOutput({ outputError: () => undefined });
  checkHelpTarget(program, argv.slice(2));
  await program.parseAsync(argv);
}
