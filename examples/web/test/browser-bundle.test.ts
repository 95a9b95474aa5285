// Bundles each package a browser user needs, for the browser, and fails on any Node built-in that reaches
// the bundle. The tfjs packages declare a few built-ins `false` in their own package.json `browser` field
// (bundlers replace them with empty modules); those are listed, nothing else may appear.
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['core', 'masking', 'tubelet', 'vit', 'predictor', 'optim', 'probe', 'data', 'trainer', 'torch-format', 'decoder'];
/** Built-ins that the tfjs packages themselves map to `false` for browsers (importer package → names). */
const DECLARED_EMPTY: Record<string, string[]> = {
  '@tensorflow/tfjs-core': ['crypto', 'util', 'worker_threads', 'node-fetch'],
  '@tensorflow/tfjs-backend-wasm': ['fs', 'os', 'path', 'perf_hooks', 'worker_threads'],
  seedrandom: ['crypto'],
};
/** Our Node-only modules: none of them may be in a browser bundle. */
const NODE_ONLY_SOURCES = /packages\/(core\/src\/(backend|gradients|safetensors-file|atomic-file)|probe\/src\/feature-cache|data\/src\/(ffmpeg|probe|decode|encode|video-files|file-lists|open)|trainer\/src\/(loop|checkpoint)|decoder\/src\/(run|train|show|png)|torch-format\/src\/(file-source|crc32|save-file))\.ts$/;

interface BuiltinImport {
  name: string;
  importer: string;
  empty: boolean;
}

function packageOf(file: string): string {
  const parts = file.split('node_modules/').pop()!.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

async function bundle(pkg: string) {
  const builtins: BuiltinImport[] = [];
  const plugin: esbuild.Plugin = {
    name: 'record-node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.inner || !isBuiltin(args.path)) return undefined;
        const { kind, importer, resolveDir } = args;
        const result = await build.resolve(args.path, { kind, importer, resolveDir, pluginData: { inner: true } });
        // A built-in resolves without error only where a package.json `browser` field maps it to false.
        builtins.push({ name: args.path, importer, empty: result.errors.length === 0 });
        return result.errors.length === 0 ? undefined : { path: args.path, external: true };
      });
    },
  };
  const result = await esbuild.build({
    stdin: { contents: `export * from '@vjepa/${pkg}';`, resolveDir: here, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@vjepa/source'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [plugin],
  });
  return { builtins, inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0].text };
}

describe('browser bundles', () => {
  it.each(PACKAGES)('@vjepa/%s bundles for the browser with no Node built-in', async (pkg) => {
    const { builtins, inputs, code } = await bundle(pkg);
    const leaked = builtins.filter((b) => !b.empty || !DECLARED_EMPTY[packageOf(b.importer)]?.includes(b.name));
    expect(leaked.map((b) => `${b.name} imported by ${b.importer}`)).toEqual([]);
    expect(inputs.filter((file) => NODE_ONLY_SOURCES.test(file))).toEqual([]);
    expect(inputs.some((file) => file.endsWith(`packages/${pkg}/src/${['masking', 'tubelet', 'vit', 'predictor', 'optim'].includes(pkg) ? 'index' : 'browser'}.ts`))).toBe(true);
    expect(code).not.toMatch(/(from |import\(|require\()["'](node:|child_process|@tensorflow\/tfjs-node)/);
  });

  it('@vjepa/official/vjepa2 (V-JEPA 2 classification) bundles for the browser with no Node built-in and no file reader', async () => {
    const { builtins, inputs, code } = await bundle('official/vjepa2');
    const leaked = builtins.filter((b) => !b.empty || !DECLARED_EMPTY[packageOf(b.importer)]?.includes(b.name));
    expect(leaked.map((b) => `${b.name} imported by ${b.importer}`)).toEqual([]);
    expect(inputs.filter((file) => NODE_ONLY_SOURCES.test(file) || /official\/src\/vjepa2\/(open|read-hf|read-official|lazy-safetensors-file|write-hf|classify-file)\.ts$/.test(file))).toEqual([]);
    expect(inputs.some((file) => file.endsWith('packages/official/src/vjepa2/portable.ts'))).toBe(true);
    expect(code).not.toMatch(/(from |import\(|require\()["'](node:|child_process|@tensorflow\/tfjs-node)/);
  });

  it('@vjepa/core carries the browser backends and gradients, not the Node ones', async () => {
    const { inputs, code } = await bundle('core');
    expect(inputs.some((file) => file.endsWith('packages/core/src/backend-browser.ts'))).toBe(true);
    expect(inputs.some((file) => file.endsWith('packages/core/src/gradients.browser.ts'))).toBe(true);
    expect(inputs.some((file) => file.includes('tfjs-core/dist/register_all_gradients.js'))).toBe(true);
    expect(inputs.some((file) => file.includes('@tensorflow/tfjs-layers'))).toBe(false);
    expect(code).toContain('tfjs-backend-webgl');
    expect(code).toContain('tfjs-backend-webgpu');
  });
});
