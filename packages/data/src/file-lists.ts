/**
 * Lists of videos: the official index CSV (`<path> <integer label>` per line, space-separated, no header)
 * and a folder searched recursively for video files.
 *
 * @packageDocumentation
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError, fail, IoError } from '@vjepa/core';
import { videoFileSource, type VideoEntry, type VideoFileOptions } from './video-files';
import type { ClipSource } from './types';

/** File extensions a folder source picks up (lower case, compared case-insensitively). */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.avi', '.mkv', '.webm', '.mov'];

/**
 * Parses the text of an official index CSV. Each non-blank line is `<path> <label>`: the label is the
 * last space-separated field (an integer), the path everything before it (so paths with spaces work,
 * which the official pandas reader does not allow). Relative paths are resolved against `baseDir`.
 *
 * @param text - the CSV content.
 * @param baseDir - folder relative paths are resolved against (the CSV's own folder).
 * @param source - name of the CSV, for error messages.
 * @throws DataError naming the line when a line has no integer label.
 */
export function parseVideoCsv(text: string, baseDir: string, source = 'csv'): VideoEntry[] {
  const entries: VideoEntry[] = [];
  text.split(/\r?\n/).forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === '') return;
    const split = line.lastIndexOf(' ');
    const label = split < 0 ? NaN : Number(line.slice(split + 1));
    const file = split < 0 ? '' : line.slice(0, split).trim();
    if (file === '' || !Number.isSafeInteger(label)) {
      fail(`${source} line ${lineIndex + 1}`, '"<video path> <integer label>"', line, 'The official index format is space-separated with no header', DataError);
    }
    entries.push({ path: path.resolve(baseDir, file), labels: { label } });
  });
  return entries;
}

/**
 * A source over the videos listed in an official index CSV; relative paths are resolved against the
 * CSV's folder. Each item carries `{ label }`.
 *
 * @example
 * ```ts
 * const source = await csvSource('data/k400_train.csv', { decodeSize: { shorterSide: 256 } });
 * ```
 */
export async function csvSource(csvPath: string, options: VideoFileOptions = {}): Promise<ClipSource> {
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (error) {
    throw new IoError(`csvPath: expected a readable index CSV, received ${JSON.stringify(csvPath)} (${(error as Error).message})`, { cause: error });
  }
  const entries = parseVideoCsv(text, path.dirname(path.resolve(csvPath)), csvPath);
  if (entries.length === 0) fail('csvPath', 'an index CSV with at least one "<path> <label>" line', csvPath, undefined, DataError);
  return videoFileSource(entries, { description: `${path.basename(csvPath)} (${entries.length} videos)`, ...options });
}

/** Every video file under `root` (recursively, sorted by path), with the label of its top-level subfolder. */
export async function listVideoFolder(root: string, extensions: readonly string[] = VIDEO_EXTENSIONS): Promise<{ entries: VideoEntry[]; classes: string[] }> {
  const wanted = new Set(extensions.map((extension) => extension.toLowerCase()));
  const files: string[] = [];
  async function walk(folder: string): Promise<void> {
    const children = await readdir(folder, { withFileTypes: true });
    for (const child of children) {
      const full = path.join(folder, child.name);
      if (child.isDirectory()) await walk(full);
      else if (wanted.has(path.extname(child.name).toLowerCase())) files.push(full);
    }
  }
  try {
    await walk(root);
  } catch (error) {
    throw new IoError(`folder: expected a readable directory, received ${JSON.stringify(root)} (${(error as Error).message})`, { cause: error });
  }
  files.sort();
  const topFolder = (file: string) => {
    const parts = path.relative(root, file).split(path.sep);
    return parts.length > 1 ? parts[0] : null;
  };
  const classes = [...new Set(files.map(topFolder).filter((name): name is string => name !== null))].sort();
  const entries = files.map((file): VideoEntry => {
    const folder = topFolder(file);
    return { path: file, labels: folder === null ? {} : { label: classes.indexOf(folder) } };
  });
  return { entries, classes };
}

/**
 * A source over every video under `folder` (recursive; extensions {@link VIDEO_EXTENSIONS}), sorted by
 * path. Videos inside subfolders get `{ label }` = the index of their top-level subfolder in sorted order
 * (the ImageFolder convention); videos directly in `folder` have no label.
 */
export async function folderSource(folder: string, options: VideoFileOptions & { extensions?: readonly string[] } = {}): Promise<ClipSource> {
  const { entries, classes } = await listVideoFolder(folder, options.extensions);
  if (entries.length === 0) fail('folder', `a directory containing videos (${VIDEO_EXTENSIONS.join(' ')})`, folder);
  const described = classes.length > 0 ? `, ${classes.length} classes` : '';
  return videoFileSource(entries, { description: `${folder} (${entries.length} videos${described})`, ...options });
}
