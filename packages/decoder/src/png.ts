import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { fail } from '@vjepa/core';
import type { Raster } from './sheet';

/** The PNG bytes of an RGB raster (8-bit RGB, pngjs, as the charts of `examples/evidence`). */
export function encodePng(raster: Raster): Buffer {
  const { width, height, rgb } = raster;
  if (rgb.length !== width * height * 3) fail('raster.rgb', `${width}·${height}·3 bytes`, rgb.length);
  return PNG.sync.write({ width, height, data: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length) } as PNG, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/** Writes a raster to `file` as PNG. */
export function writePng(raster: Raster, file: string): void {
  writeFileSync(file, encodePng(raster));
}
