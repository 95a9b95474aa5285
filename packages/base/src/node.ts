/**
 * The Node entry of `@vjepa/base` (`@vjepa/base/node`): what needs Node's file system. The main entry
 * `@vjepa/base` stays browser-safe; import this one only from Node code.
 *
 * @packageDocumentation
 */
export { syncDirectory, writeFileAtomic, writeFileAtomicSync, type WritePieces } from './atomic-file';
export { checkOutputPath, type OutputKind } from './output-path';
