import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';
import * as main from './index';
import * as node from './node';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `entry` for browsers as an app would (vite, `browser` condition), returning the code and the modules it holds. */
async function browserBundle(entry: string): Promise<{ code: string; modules: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const result = (await build({
    configFile: false,
    root: packageRoot,
    logLevel: 'silent',
    resolve: { conditions: ['@vjepa/source', 'module', 'browser'] },
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['es'], fileName: 'bundle' },
      rollupOptions: { onwarn: (warning) => void warnings.push(warning.message) },
    },
  })) as Rollup.RollupOutput[];
  const chunks = result.flatMap((output) => output.output).filter((item): item is Rollup.OutputChunk => item.type === 'chunk');
  return { code: chunks.map((chunk) => chunk.code).join('\n'), modules: chunks.flatMap((chunk) => Object.keys(chunk.modules)), warnings };
}

describe('the main entry is browser-safe', () => {
  it('bundles for browsers with no Node module in it or stubbed out', async () => {
    const { code, modules, warnings } = await browserBundle('src/index.ts');
    expect(modules.map((path) => path.replace(packageRoot, '')).sort()).toEqual([
      'src/errors.ts',
      'src/half-float.ts',
      'src/index.ts',
      'src/options.ts',
      'src/round-half-even.ts',
      'src/safetensors.ts',
      'src/same-shape.ts',
    ]);
    expect(code).not.toMatch(/node:|__vite-browser-external|require\(/);
    expect(warnings).toEqual([]);
    expect(code).toContain('function parseSafetensors');
  }, 60_000);
});

describe('the Node entry', () => {
  it('holds only the file writes and the output-path check, none of the main entry', () => {
    expect(Object.keys(node).sort()).toEqual(['checkOutputPath', 'syncDirectory', 'writeFileAtomic', 'writeFileAtomicSync']);
    expect(Object.keys(node).filter((name) => name in main)).toEqual([]);
  });

  it('needs Node: a browser bundle of it stubs its Node modules out (what the check above would catch)', async () => {
    const { code } = await browserBundle('src/node.ts');
    expect(code).toMatch(/__vite-browser-external/);
  }, 60_000);
});
