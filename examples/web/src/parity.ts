import { compareReference, referenceFromBytes, type ParityComparison, type ParityPart, type ReferenceConfig } from '@vjepa/official/parity';

// `vjepa parity` in the page: the e2e test hands in the bytes of fixtures/reference/tiny.safetensors and
// its config, the page compares on its own backend (webgpu on SwiftShader in the test) and returns the
// errors, which the test checks as Node's parity tests do.

declare global {
  interface Window {
    /** Runs the parity comparisons `parts` of a reference file (base64 bytes + its JSON config) on the page's backend. */
    vjepaParity: (base64: string, config: ReferenceConfig, parts: ParityPart[]) => Promise<ParityComparison>;
  }
}

/** Installs `window.vjepaParity`. */
export function installParity(): void {
  window.vjepaParity = async (base64, config, parts) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return compareReference(referenceFromBytes(bytes, config, 'tiny.safetensors'), parts);
  };
}
