import { packageConfig } from '../../tsup.config.base';

// src/browser.ts is the `browser` export condition. `#feature-cache` (package.json `imports`) stays an
// import in dist, so that a bundler's `browser` condition picks the file-less cache; both are entries.
export default packageConfig({
  entry: ['src/index.ts', 'src/browser.ts', 'src/feature-cache.ts', 'src/feature-cache.browser.ts'],
  external: ['#feature-cache'],
});
