export * from './portable';
export { selectBackend, type AcceleratorInfo, type AcceleratorRequest, type BackendChoice, type BackendRequest, type SelectBackendOptions } from './backend';
export { readSafetensors, readSafetensorsSync, writeSafetensors, writeSafetensorsSync } from './safetensors-file';
export { syncDirectory, writeFileAtomic, writeFileAtomicSync } from '@vjepa/base/node';
