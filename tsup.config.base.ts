import { defineConfig, type Options } from 'tsup';

/** The one build config every package shares: ESM + CJS + types from src/index.ts. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    outDir: 'dist',
    ...overrides,
  });
}
