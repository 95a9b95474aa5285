import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fail, readSafetensorsHeaderSync } from '@vjepa/core';
import { readRunState } from '@vjepa/trainer';
import { flattenTorch, openTorchFile } from '@vjepa/torch-format';
import { hfFolderListing, isHfVjepa2Folder, vjepa2Summary } from './vjepa2/inspect-vjepa2';

/** What `vjepa inspect` reports. */
export interface InspectReport {
  /** `safetensors`, `pytorch-zip`, `pytorch-legacy`, `vjepa-checkpoint` or `huggingface-vjepa2` (a folder). */
  format: string;
  /** Every tensor: its name (nested keys joined with `/`), dtype and shape, in file order. */
  tensors: { name: string; dtype: string; shape: number[] }[];
  /** The non-tensor values by path (`epoch`, `opt/param_groups`, safetensors `__metadata__`, `state.json`). */
  values: Record<string, unknown>;
  /** For a V-JEPA 2 file (official `.pt`, Hugging Face folder): the architecture and size recognised, in words. */
  architecture?: string;
}

/** The header of a safetensors file, checked by core's reader (dtypes, shapes, offsets against the file), without its data. */
function safetensorsHeader(path: string): { tensors: InspectReport['tensors']; metadata: Record<string, string> } {
  const { entries, metadata } = readSafetensorsHeaderSync(path);
  const tensors = [...entries].sort((a, b) => a.begin - b.begin).map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
  return { tensors, metadata };
}

/**
 * Lists a `.safetensors`, a `.pth`/`.pt`/`.pth.tar` (zip or legacy format) or a `vjepa train` checkpoint
 * folder: format, every tensor's name, dtype and shape, and the other values. No tensor data is read.
 *
 * @param path - the file or folder.
 */
export function inspectFile(path: string): InspectReport {
  if (!existsSync(path)) fail('FILE', 'an existing file or folder', path);
  const report = listFile(path);
  const architecture = report.format === 'vjepa-checkpoint' ? null : vjepa2Summary(path);
  return architecture ? { ...report, architecture } : report;
}

function listFile(path: string): InspectReport {
  if (isHfVjepa2Folder(path)) return { format: 'huggingface-vjepa2', ...hfFolderListing(path) };
  if (statSync(path).isDirectory()) {
    const read = readRunState(path);
    if (!read) fail('FILE', 'a vjepa train output folder or checkpoint directory', path);
    const { dir, state } = read;
    const tensors: InspectReport['tensors'] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()) {
      const group = file.replace(/\.safetensors$/, '');
      for (const t of safetensorsHeader(join(dir, file)).tensors) tensors.push({ ...t, name: `${group}/${t.name}` });
    }
    return { format: 'vjepa-checkpoint', tensors, values: { dir, ...state } };
  }
  if (path.endsWith('.safetensors')) {
    const { tensors, metadata } = safetensorsHeader(path);
    return { format: 'safetensors', tensors, values: metadata };
  }
  const file = openTorchFile(path);
  try {
    const { tensors, values } = flattenTorch(file.root);
    return {
      format: `pytorch-${file.format}`,
      tensors: [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] })),
      values,
    };
  } finally {
    file.close();
  }
}

/** The human-readable form of a report. */
export function formatInspect(report: InspectReport): string {
  const lines = [`format: ${report.format}`, ...(report.architecture ? [`architecture: ${report.architecture}`] : []), `tensors: ${report.tensors.length}`];
  for (const t of report.tensors) lines.push(`  ${t.name}  ${t.dtype}  [${t.shape.join(', ')}]`);
  const keys = Object.keys(report.values);
  if (keys.length > 0) lines.push('values:');
  for (const key of keys) lines.push(`  ${key}: ${JSON.stringify(report.values[key])}`);
  return lines.join('\n');
}
