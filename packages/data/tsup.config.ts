import { packageConfig } from '../../tsup.config.base';

// src/browser.ts is the `browser` export condition: the same modules minus the Node-only ones.
// `#mnist-digits` (package.json `imports`) stays an import in dist, so that a bundler's `browser` condition
// picks the stand-in; both files are entries.
export default packageConfig({
  entry: ['src/index.ts', 'src/browser.ts', 'src/mnist-digits.ts', 'src/mnist-digits.browser.ts'],
  external: ['#mnist-digits'],
});
