import { packageConfig } from '../../tsup.config.base';

// Three entries: the package (Node), `@vjepa/official/parity` (the comparisons) and `@vjepa/official/vjepa2`
// (V-JEPA 2 classification), both without the file system.
export default packageConfig({ entry: { index: 'src/index.ts', parity: 'src/parity/portable.ts', vjepa2: 'src/vjepa2/portable.ts' } });
