import { packageConfig } from '../../tsup.config.base';

// src/browser.ts is the `browser` export condition. `#crc32` and `#file-source` (package.json `imports`)
// stay imports in dist, so that a bundler's `browser` condition picks the Node-free variants; all are entries.
export default packageConfig({
  entry: ['src/index.ts', 'src/browser.ts', 'src/crc32.ts', 'src/crc32.browser.ts', 'src/file-source.ts', 'src/file-source.browser.ts'],
  external: ['#crc32', '#file-source'],
});
