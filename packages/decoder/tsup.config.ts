import { packageConfig } from '../../tsup.config.base';

// src/browser.ts is the `browser` export condition: the same modules minus the Node-only ones.
export default packageConfig({ entry: ['src/index.ts', 'src/browser.ts'] });
