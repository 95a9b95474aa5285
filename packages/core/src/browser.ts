/**
 * The browser build of `@vjepa/core` (export condition `browser`): everything of the Node entry except
 * what needs Node (safetensors files and atomic writes; the native-TensorFlow backend selection). Bytes
 * still parse and serialise (`parseSafetensors`, `serializeSafetensors`); `selectBackend` here tries
 * WebGPU, WebGL, wasm and cpu. `browser.test.ts` checks that the two entries differ only by these names.
 *
 * @packageDocumentation
 */
export * from './portable';
export {
  selectBackend,
  type BrowserBackendChoice as BackendChoice,
  type BrowserBackendChoice,
  type BrowserBackendOptions,
  type BrowserBackendRequest as BackendRequest,
  type BrowserBackendRequest,
  type WasmBinaryName,
} from './backend-browser';
