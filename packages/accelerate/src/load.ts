import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeKernels, NativeLoad } from '@vjepa/base';

const ADDON = 'vjepa_accelerate.node';
const REBUILD = 'node node_modules/@vjepa/accelerate/scripts/build.cjs';

function packageRoot(): string {
  // src/ and dist/ both sit one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

function buildStatus(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'build', 'status.json'), 'utf8')) as { reason?: string }).reason;
  } catch {
    return undefined;
  }
}

let cached: NativeLoad | undefined;

/**
 * Loads the native kernels built at install time, once per process. Returns `kernels: null` with the
 * reason when the addon was not built (no compiler or headers) or does not load; nothing throws. The
 * environment variable `VJEPA_ACCELERATE_ADDON` names another addon file to load instead (one built
 * elsewhere by scripts/build.cjs, e.g. with `VJEPA_BLAS=none`).
 *
 * @example
 * const { kernels, reason } = loadNativeKernels();
 * console.log(kernels ? `native: ${kernels.blasInfo()}` : `not active: ${reason}`);
 */
export function loadNativeKernels(): NativeLoad {
  if (cached) return cached;
  const root = packageRoot();
  const override = process.env.VJEPA_ACCELERATE_ADDON;
  const file = override || join(root, 'build', ADDON);
  if (override && !existsSync(override)) {
    cached = { kernels: null, reason: `VJEPA_ACCELERATE_ADDON=${override}: no such file; unset it to load the addon built at install` };
    return cached;
  }
  if (!existsSync(file)) {
    const status = buildStatus(root);
    cached = {
      kernels: null,
      reason: `the addon was not built (${status ?? 'its install script did not run'}); install a C++ compiler, and a BLAS for the fastest products (Debian/Ubuntu: apt-get install g++ libopenblas-dev), then run ${REBUILD}`,
    };
    return cached;
  }
  try {
    const kernels = createRequire(import.meta.url)(file) as NativeKernels;
    cached = { kernels, reason: `native kernels loaded (${kernels.blasInfo().trim()})` };
  } catch (error) {
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    cached = { kernels: null, reason: `the addon ${file} does not load (${text}); rebuild it with ${REBUILD}` };
  }
  return cached;
}
