import { defineConfig } from 'vitest/config';

// Tests run from the TypeScript sources: every package's `exports` has a `@vjepa/source` condition
// pointing at src/index.ts, so no build is needed before `vitest`.
const conditions = ['@vjepa/source', 'node', 'import', 'module', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@vjepa/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
