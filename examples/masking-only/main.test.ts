import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MaskCollator, maskStatistics } from '@vjepa/masking';
import { describe, expect, it } from 'vitest';
import { SYMBOLS, renderMaskBatch } from './render';

function render(timeStep = 0) {
  const collator = new MaskCollator({ seed: 0 });
  const masks = collator.sample(2);
  return { masks, grid: collator.grid, text: renderMaskBatch({ grid: collator.grid, generators: collator.generators, masks, timeStep }) };
}

/** The 14 grid lines under the `index`-th "sample" header line, split into the two samples' grids. */
function gridsOf(text: string, generator: number): string[][] {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.startsWith(`generator ${generator}:`));
  const rows = lines.slice(header + 3, header + 3 + 14);
  return [0, 1].map((sample) => rows.map((row) => row.slice(2).split('   ')[sample].replaceAll(' ', '')));
}

describe('examples/masking-only', () => {
  it('draws one 14 × 14 grid per generator per sample, matching the masks token for token', () => {
    const { masks, text } = render();
    expect(text).toContain("2 clips on a 8 × 14 × 14 token grid (T' × H' × W', N = 1568)");
    expect(text).toContain('generator 0: multiblock, 8 blocks of scale 0.15, block 8 × 5 × 6 (t × h × w) this batch');
    expect(text).toContain('generator 1: multiblock, 2 blocks of scale 0.7, block 8 × 11 × 13 (t × h × w) this batch');
    masks.forEach((pair, generator) => {
      const grids = gridsOf(text, generator);
      for (let sample = 0; sample < 2; sample++) {
        const cells = grids[sample].join('');
        expect(grids[sample]).toHaveLength(14);
        expect(grids[sample].every((row) => row.length === 14)).toBe(true);
        const [, kEnc] = pair.context.shape;
        const [, kPred] = pair.target.shape;
        const row = (data: Int32Array, keep: number) => Array.from(data.subarray(sample * keep, (sample + 1) * keep));
        for (let position = 0; position < 196; position++) {
          const expected = row(pair.target.data, kPred).includes(position)
            ? SYMBOLS.target
            : row(pair.context.data, kEnc).includes(position)
              ? SYMBOLS.context
              : SYMBOLS.dropped;
          expect(cells[position]).toBe(expected);
        }
      }
    });
  });

  it('prints the masked fractions and the kept lengths', () => {
    const { masks, text } = render();
    masks.forEach((pair, generator) => {
      const stats = maskStatistics(pair);
      expect(text).toContain(
        `K_enc = ${stats.contextLength} context, K_pred = ${stats.targetLength} target tokens per clip after truncation ` +
          `(effective context ${(100 * stats.effectiveContextFraction).toFixed(1)} %)`,
      );
      for (let sample = 0; sample < 2; sample++) {
        const masked = (100 * pair.lengthsBeforeTruncation.target[sample]) / 1568;
        expect(text).toContain(`sample ${sample}: ${masked.toFixed(1)} % masked`);
      }
    });
  });

  it('shows truncated tokens as dropped at the last time step', () => {
    const { masks, text } = render(7);
    const [shortRange] = masks;
    const lastStepTokens = (data: Int32Array) => Array.from(data).filter((t) => t >= 7 * 196).length;
    const shown = gridsOf(text, 0).map((rows) => rows.join(''));
    const symbols = shown.join('');
    expect(symbols.split(SYMBOLS.target).length - 1).toBe(lastStepTokens(shortRange.target.data));
    expect(symbols.split(SYMBOLS.context).length - 1).toBe(lastStepTokens(shortRange.context.data));
    expect(symbols).toContain(SYMBOLS.dropped); // the batch truncation cuts the latest step
  });

  it('main.ts prints the same as the function (npm start)', () => {
    const output = execFileSync(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', 'main.ts'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
    });
    expect(output.trimEnd()).toBe(render().text);
  });
});
