/**
 * Violation-of-expectation pairs from the user's own videos: a CSV of `possible,impossible` video paths,
 * one pair a row, decoded by ffmpeg from their first frame on (both twins the same frames, so clips
 * that agree up to an event stay aligned).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError, fail } from '@vjepa/core';
import { decodeFrames } from './decode';
import type { Clip } from './types';

/** One pair of video paths. */
export interface VoeFilePair {
  possible: string;
  impossible: string;
}

/**
 * The rows of a pair list: `possible,impossible` per line (paths relative to `baseDir`), blank lines
 * skipped, an optional header `possible,impossible`.
 *
 * @throws DataError naming the line when a row does not have two paths.
 */
export function parseVoePairCsv(text: string, baseDir: string, source = 'pairs'): VoeFilePair[] {
  const rows: VoeFilePair[] = [];
  text.split(/\r?\n/).forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === '' || (rows.length === 0 && /^possible\s*,\s*impossible$/i.test(line))) return;
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length !== 2 || cells.some((cell) => cell === '')) fail(`${source} line ${lineIndex + 1}`, '"<possible video>,<impossible video>"', line, undefined, DataError);
    rows.push({ possible: resolve(baseDir, cells[0]), impossible: resolve(baseDir, cells[1]) });
  });
  if (rows.length === 0) fail(source, 'at least one "possible,impossible" row', 'none', undefined, DataError);
  return rows;
}

/** Reads a pair list file (see {@link parseVoePairCsv}). */
export function readVoePairCsv(file: string): VoeFilePair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail('--pairs', 'a readable CSV of possible,impossible video paths', file, (error as Error).message, DataError);
  }
  return parseVoePairCsv(text, dirname(resolve(file)), file);
}

/** Both videos of a pair as clips of `numFrames` frames, every `frameStep`-th from the first. */
export async function decodeVoePair(pair: VoeFilePair, options: { numFrames: number; frameStep: number }): Promise<{ possible: Clip; impossible: Clip }> {
  const { numFrames, frameStep } = options;
  if (!Number.isSafeInteger(numFrames) || numFrames < 1) fail('numFrames', 'a positive integer', numFrames);
  if (!Number.isSafeInteger(frameStep) || frameStep < 1) fail('frameStep', 'a positive integer', frameStep);
  const indices = Array.from({ length: numFrames }, (_, k) => k * frameStep);
  const clip = async (path: string, twin: string): Promise<Clip> => {
    const decoded = await decodeFrames(path, indices);
    return { ...decoded, labels: {}, name: `${path} (${twin})`, frameIndices: indices };
  };
  return { possible: await clip(pair.possible, 'possible'), impossible: await clip(pair.impossible, 'impossible') };
}
