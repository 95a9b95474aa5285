import { defineConfig } from 'vite';

// The workspace packages are resolved to their TypeScript sources (`@vjepa/source`) and to their browser
// entries (`browser`), so the page needs no build of the packages first.
export default defineConfig({
  resolve: { conditions: ['@vjepa/source', 'module', 'browser', 'development|production'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
