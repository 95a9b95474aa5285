import { packageConfig } from '../../tsup.config.base';

// Two entries: the browser-safe main one and `@vjepa/base/node` (atomic file writes).
export default packageConfig({ entry: ['src/index.ts', 'src/node.ts'] });
