import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main';

describe('vjepa surprise', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON line per scorer and set with --json, the table without', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const argv = ['node', 'vjepa', 'surprise', '--baseline', 'frame-diff,tracker', '--sets', 'synthetic:voe-teleport', '--count', '2'];
    await main([...argv, '--json']);
    const rows = out[0].split('\n').map((line) => JSON.parse(line));
    expect(rows.map((r) => [r.scorer, r.set, r.pairs])).toEqual([['frame-diff', 'synthetic:voe-teleport', 2], ['tracker', 'synthetic:voe-teleport', 2]]);
    await main(argv);
    expect(out.slice(1, -1).every((line) => line.startsWith('scored '))).toBe(true); // progress, then the table
    const table = out.at(-1)!.split('\n');
    expect(table[0]).toMatch(/^scorer +kind +set +pairs/);
    expect(table).toHaveLength(3);
  });

  it('rejects an unknown baseline before any work', async () => {
    await expect(main(['node', 'vjepa', 'surprise', '--baseline', 'oracle'])).rejects.toThrow(/--baseline.*untrained, frame-diff, tracker/);
  });
});
