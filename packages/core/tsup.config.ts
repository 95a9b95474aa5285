import { packageConfig } from '../../tsup.config.base';

// `#gradients` (package.json `imports`) stays an import in dist, so that a bundler's `browser` condition
// picks the browser registration and Node the tfjs-layers one; both are entries of their own.
export default packageConfig({
  entry: ['src/index.ts', 'src/browser.ts', 'src/gradients.ts', 'src/gradients.browser.ts'],
  external: ['#gradients'],
});
