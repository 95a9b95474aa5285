import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@vjepa/core';

/** Chromium's SwiftShader Vulkan driver (Debian's `chromium` package): a WebGPU adapter on any CPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Points Dawn's Vulkan loader at SwiftShader when no driver was chosen (VK_ICD_FILENAMES unset) and the
 * driver is there, so the WebGPU tests run here and in CI (`.ci/run` installs Chromium) without a GPU;
 * the Vulkan loader wants XDG_RUNTIME_DIR too. Then selects `webgpu`: the adapter's description, or why
 * there is none — the reason a test prints when it skips.
 */
export async function webgpuForTests(): Promise<{ adapter: string } | { skip: string }> {
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'vjepa-xdg-'));
  try {
    const choice = await selectBackend('webgpu');
    return { adapter: choice.adapter!.description };
  } catch (error) {
    return { skip: `no WebGPU adapter here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}
