import { packageConfig } from '../../tsup.config.base';

// Two entries: the package (Node) and `@vjepa/official/parity`, the comparisons without the file system.
export default packageConfig({ entry: { index: 'src/index.ts', parity: 'src/parity/portable.ts' } });
