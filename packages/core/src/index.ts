export * from './portable';
export { BACKEND_REQUESTS, selectBackend, type BackendChoice, type BackendRequest, type SelectBackendOptions } from './backend';
export type { AcceleratorInfo, AcceleratorRequest } from './accel/native';
export { findWebGpuAdapter } from './backend-webgpu-node';
export { readSafetensors, readSafetensorsHeaderSync, readSafetensorsSync, writeSafetensors, writeSafetensorsSync } from './safetensors-file';
export { checkOutputPath, syncDirectory, writeFileAtomic, writeFileAtomicSync, type OutputKind } from '@vjepa/base/node';
