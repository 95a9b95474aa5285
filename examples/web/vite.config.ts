import { defineConfig } from 'vite';

// The workspace packages are resolved to their TypeScript sources (`@vjepa/source`) and to their browser
// entries (`browser`), so the page needs no build of the packages first.
export default defineConfig({
  resolve: { conditions: ['@vjepa/source', 'module', 'browser', 'development|production'] },
  // The dev server pre-bundles dependencies. Every tfjs entry the page reaches, the lazily imported backends
  // included, must be in the first pass: a later pass would bundle a second tfjs-core engine.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-backend-wasm',
      '@vjepa/core > @tensorflow/tfjs-backend-cpu',
      '@vjepa/core > @tensorflow/tfjs-backend-webgl',
      '@vjepa/core > @tensorflow/tfjs-backend-webgpu',
      'mediabunny',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
