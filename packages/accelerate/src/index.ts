export { loadNativeKernels, type NativeKernels, type NativeLoad } from './load';
