/**
 * One entry point from a dataset string, as a command line or config gives it: `synthetic`,
 * `synthetic:NAME`, a `.csv` index file, or a folder of videos.
 *
 * @packageDocumentation
 */
import { stat } from 'node:fs/promises';
import { checkKeys, fail, optionKeys } from '@vjepa/core';
import { csvSource, folderSource } from './file-lists';
import { syntheticSource, type SyntheticSourceOptions } from './synthetic';
import type { ClipSource } from './types';
import { VIDEO_FILE_OPTION_KEYS, type VideoFileOptions } from './video-files';

/** Options of {@link openClipSource}: those of the synthetic sets and of the file sources. */
export interface OpenSourceOptions extends VideoFileOptions {
  /** Options when `spec` names a synthetic set. */
  synthetic?: SyntheticSourceOptions;
}

/**
 * The {@link ClipSource} named by `spec`: `synthetic` or `synthetic:NAME` (embedded, generated), a path
 * ending in `.csv` (official index), or a directory (searched recursively for videos).
 *
 * @example
 * ```ts
 * const source = await openClipSource('synthetic:shapes-easy', { synthetic: { seed: 3 } });
 * ```
 * @throws VjepaError when `spec` is neither a known synthetic name nor an existing CSV or folder.
 */
export async function openClipSource(spec: string, options: OpenSourceOptions = {}): Promise<ClipSource> {
  if (typeof spec !== 'string' || spec === '') fail('spec', "'synthetic', 'synthetic:NAME', a .csv file or a folder", spec);
  checkKeys('options', options, [
    ...optionKeys<Omit<OpenSourceOptions, keyof VideoFileOptions>>({ synthetic: true }),
    ...VIDEO_FILE_OPTION_KEYS,
  ]);
  if (spec === 'synthetic' || spec.startsWith('synthetic:')) return syntheticSource(spec, options.synthetic);
  const { synthetic: _synthetic, ...fileOptions } = options;
  const info = await stat(spec).catch(() => null);
  if (info === null) fail('spec', "'synthetic', 'synthetic:NAME', or an existing .csv file or folder", spec);
  if (info.isDirectory()) return folderSource(spec, fileOptions);
  if (spec.toLowerCase().endsWith('.csv')) return csvSource(spec, fileOptions);
  return fail('spec', 'a .csv index file or a folder of videos', spec);
}
