export * from './portable';
export { BACKEND_REQUESTS, selectBackend, type BackendChoice, type BackendRequest, type SelectBackendOptions } from './backend';
export type { AcceleratorInfo, AcceleratorRequest } from './accel/native';
export { findWebGpuAdapter } from './backend-webgpu-node';
export { readSafetensors, readSafetensorsSync, writeSafetensors, writeSafetensorsSync } from './safetensors-file';
export { syncDirectory, writeFileAtomic, writeFileAtomicSync } from '@vjepa/base/node';
