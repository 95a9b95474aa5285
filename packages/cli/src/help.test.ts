// The help and the command line around the commands, as a user runs them: each default and choice said
// once, examples under every command, `vjepa help trian` an unknown command, `pnpm vjepa` reading paths
// from the caller's folder, `vjepa parity` outside the repository naming --reference.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSafetensors } from '@vjepa/core';
import { EXAMPLES } from './help';
import { createProgram } from './main';
import { fresh, node, repoRoot, vjepa, vjepaIn } from './run-cli.test-util';

const COMMANDS = ['parity', 'train', 'probe', 'classify', 'embed', 'inspect', 'convert', 'doctor', 'bench'];

/** The help of `vjepa COMMAND` as commander formats it (no process: the whole text). */
function helpOf(name?: string): string {
  const program = createProgram();
  const command = name === undefined ? program : program.commands.find((c) => c.name() === name)!;
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('vjepa --help', () => {
  it.each(COMMANDS)('%s: every default and choice said once, examples at the end', (name) => {
    const text = helpOf(name);
    const options = text.slice(text.indexOf('Options:'), text.indexOf('Examples:')).split(/\n(?=  -)/);
    for (const option of options) {
      expect(option.match(/\bdefault\b/g)?.length ?? 0, option).toBeLessThanOrEqual(1);
      expect(option, option).not.toMatch(/choices:|default: "/);
    }
    expect(text).toContain(`Examples:\n${EXAMPLES[name].map((line) => `  $ ${line}`).join('\n')}\n`);
  });

  it('names a default once, plainly, and the choices a description does not list', () => {
    expect(helpOf('train')).toMatch(/--checkpoint-every <n>\s+steps between checkpoints \(default 50\)\n/);
    expect(helpOf('train')).toMatch(/--backend <name>\s+tfjs backend \(one of auto, tensorflow, webgpu, wasm,\s+cpu; default auto\)/);
    expect(helpOf('probe')).toMatch(/--probe <kind>\s+attentive \| linear \| knn \(no training: [^)]*\) \(default attentive\)\n/);
    expect(helpOf()).toContain('Examples:\n  $ vjepa doctor\n');
  });

  it('vjepa help trian: exit 2, unknown command with the suggestion (it printed the whole help)', () => {
    const result = vjepa('help', 'trian');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("vjepa: unknown command 'trian' (Did you mean train?)\n");
    const help = vjepa('help', 'inspect');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: vjepa inspect/);
  }, 120_000);
});

describe('paths and defaults of the command line', () => {
  it('pnpm vjepa reads paths from the folder it was called in (INIT_CWD), not the repository root', () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.vjepa).toBe('node --conditions=@vjepa/source --import tsx scripts/vjepa.ts');
    const caller = fresh();
    writeFileSync(join(caller, 'mine.safetensors'), serializeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }));
    const launcher = join(repoRoot, 'scripts', 'vjepa.ts');
    const result = spawnSync(node[0], [...node.slice(1, -1), launcher, 'inspect', 'mine.safetensors', '--json'], {
      cwd: repoRoot, // where pnpm runs a script
      env: { ...process.env, INIT_CWD: caller },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'safetensors', tensors: [{ name: 'w' }] });
  }, 120_000);

  it('vjepa parity FILE.pth.tar outside the repository names --reference and the folder relative paths are read from', () => {
    const outside = fresh();
    copyFileSync(join(repoRoot, 'fixtures', 'pytorch', 'tiny-pretrain.pth.tar'), join(outside, 'tiny.pth.tar'));
    const result = vjepaIn(outside, ['parity', 'tiny.pth.tar']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `vjepa: --reference: expected an existing reference .safetensors file of the same weights, received "fixtures/reference/tiny.safetensors". ` +
        `Relative paths are read from the current folder ${outside}; give --reference FILE\n`,
    );
  }, 120_000);
});
