export { loadNativeKernels } from './load';
export type { NativeKernels, NativeLoad } from '@vjepa/base';
