import { defineConfig, type Options } from 'tsup';

/** The one build config every package shares: ESM + CJS + types from src/index.ts. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    // createRequire(import.meta.url) in the CJS build needs tsup's import.meta.url shim
    shims: true,
    target: 'node20',
    outDir: 'dist',
    ...overrides,
  });
}
