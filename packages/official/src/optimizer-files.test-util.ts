import { expect } from 'vitest';
import type { TorchTensor } from '@vjepa/torch-format';

/** The stored bytes of a tensor of a `torch.save` file. */
export const tensorBytes = (t: TorchTensor): Buffer => Buffer.from(t.readBytes());

/**
 * Expects two `torch.optim.AdamW.state_dict()` entries of `torch.save` files to be the same: every group with
 * the same keys in the same order and the same values (`params` included), the same state positions, and each
 * position's `step`, `exp_avg` and `exp_avg_sq` bit for bit.
 */
export function expectSameOptimizer(expected: Map<string, unknown>, actual: Map<string, unknown>): void {
  const ga = expected.get('param_groups') as Map<string, unknown>[];
  const gb = actual.get('param_groups') as Map<string, unknown>[];
  expect(gb.map((g) => [...g.keys()])).toEqual(ga.map((g) => [...g.keys()]));
  ga.forEach((g, i) => {
    for (const [key, value] of g) expect(gb[i].get(key), `param_groups[${i}].${key}`).toEqual(value);
  });
  const sa = expected.get('state') as Map<number, Map<string, TorchTensor>>;
  const sb = actual.get('state') as Map<number, Map<string, TorchTensor>>;
  expect([...sb.keys()]).toEqual([...sa.keys()]);
  for (const [position, entry] of sa) {
    for (const key of ['step', 'exp_avg', 'exp_avg_sq']) {
      expect(sb.get(position)!.get(key)!.shape, `${position}.${key}`).toEqual(entry.get(key)!.shape);
      expect(tensorBytes(sb.get(position)!.get(key)!).equals(tensorBytes(entry.get(key)!)), `${position}.${key}`).toBe(true);
    }
  }
}

/** Expects the state dicts `names` of two `torch.save` roots to hold the same keys, in order, with the same bytes. */
export function expectSameStateDicts(expected: Map<string, unknown>, actual: Map<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const da = expected.get(name) as Map<string, TorchTensor>;
    const db = actual.get(name) as Map<string, TorchTensor>;
    expect([...db.keys()], name).toEqual([...da.keys()]);
    for (const [key, t] of da) expect(tensorBytes(db.get(key)!).equals(tensorBytes(t)), `${name}/${key}`).toBe(true);
  }
}
