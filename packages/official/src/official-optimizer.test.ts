import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '@vjepa/core';
import { loadCheckpoint, createPretrainingModels, savedRunConfig, takesWeightDecay } from '@vjepa/trainer';
import { openTorchFile, saveTorchFile, TorchTensor } from '@vjepa/torch-format';
import { runConvert } from './convert';
import { matchOfficialGroups, type OfficialLayout } from './official-groups';
import { expectSameOptimizer, expectSameStateDicts, tensorBytes as bytes } from './optimizer-files.test-util';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url).pathname;
const OFFICIAL_RUN = fixture('pytorch/official-run.pth.tar');
const quiet = () => undefined;

const stripped = (key: string) => key.replace(/^module\.backbone\./, '');

/**
 * The names at each position of the file's optimizer, by the rule of the official `init_opt`, from the
 * file's own state dicts (their key order is `named_parameters()`'s): independent of our models.
 */
function officialNames(root: Map<unknown, unknown>): string[] {
  const names = (module: 'encoder' | 'predictor', decay: boolean) =>
    [...(root.get(module) as Map<string, TorchTensor>)].filter(([key, t]) => takesWeightDecay(stripped(key), t.shape) === decay).map(([key]) => `${module}/${stripped(key)}`);
  return [...names('encoder', true), ...names('predictor', true), ...names('encoder', false), ...names('predictor', false)];
}

async function imported(file = OFFICIAL_RUN, overrides: { heads: number; frames?: number; imageSize?: number } = { heads: 4 }): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'vjepa-official-run-'));
  await runConvert(file, out, { log: quiet, ...overrides, backend: 'cpu' });
  return out;
}

function withPermutedGroups(order: number[]): string {
  const file = openTorchFile(OFFICIAL_RUN);
  try {
    const root = new Map(file.root as Map<unknown, unknown>);
    const opt = new Map(root.get('opt') as Map<unknown, unknown>);
    const groups = opt.get('param_groups') as unknown[];
    opt.set('param_groups', order.map((i) => groups[i]));
    root.set('opt', opt);
    const out = join(mkdtempSync(join(tmpdir(), 'vjepa-permuted-')), 'permuted.pth.tar');
    saveTorchFile(out, root);
    return out;
  } finally {
    file.close();
  }
}

describe('the official optimiser layout (official-run.pth.tar, made by the official training path)', () => {
  it('lists the frozen sin-cos tables in its groups: 10, 13, 19, 20 positions, 60 states', () => {
    const file = openTorchFile(OFFICIAL_RUN);
    try {
      const opt = (file.root as Map<string, unknown>).get('opt') as Map<string, unknown>;
      expect((opt.get('param_groups') as Map<string, unknown>[]).map((g) => (g.get('params') as number[]).length)).toEqual([10, 13, 19, 20]);
      expect((opt.get('state') as Map<number, unknown>).size).toBe(60);
      const names = officialNames(file.root as Map<unknown, unknown>);
      expect([names[0], names[10]]).toEqual(['encoder/pos_embed', 'predictor/predictor_pos_embed']);
      expect((opt.get('state') as Map<number, unknown>).has(0)).toBe(false);
      expect((opt.get('state') as Map<number, unknown>).has(10)).toBe(false);
    } finally {
      file.close();
    }
  });

  it('import: every weight and every AdamW moment equals the file’s, by name, position by position', async () => {
    const out = await imported();
    const config = savedRunConfig(out)!;
    const models = createPretrainingModels({ encoder: config.model.encoder, predictor: config.model.predictor, seed: 0, target: config.target });
    const file = openTorchFile(OFFICIAL_RUN);
    try {
      const loaded = loadCheckpoint(out, { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder });
      const root = file.root as Map<unknown, unknown>;
      for (const [name, module] of [['encoder', models.encoder], ['predictor', models.predictor], ['target_encoder', models.targetEncoder]] as const) {
        const saved = root.get(name) as Map<string, TorchTensor>;
        expect([...module.stateDict().keys()]).toEqual([...saved.keys()].map(stripped));
        for (const [key, t] of saved) {
          const ours = module.stateDict().get(stripped(key))!;
          expect(Buffer.from((ours.dataSync() as Float32Array).buffer).equals(bytes(t)), `${name}/${key}`).toBe(true);
        }
      }
      const names = officialNames(root);
      const opt = root.get('opt') as Map<string, unknown>;
      const state = opt.get('state') as Map<number, Map<string, unknown>>;
      let compared = 0;
      names.forEach((name, position) => {
        const entry = state.get(position);
        const slot = loaded.optimizer!.params[name];
        if (!entry) {
          expect(slot, `${name} (position ${position}) has no state in the file`).toBeUndefined();
          return;
        }
        expect(Buffer.from((slot.expAvg.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg') as TorchTensor)), `exp_avg ${name}`).toBe(true);
        expect(Buffer.from((slot.expAvgSq.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg_sq') as TorchTensor)), `exp_avg_sq ${name}`).toBe(true);
        expect(slot.step).toBe((entry.get('step') as TorchTensor).readFloat32()[0]);
        compared++;
      });
      expect(compared).toBe(60);
      expect(Object.keys(loaded.optimizer!.params)).toHaveLength(60);
      expect(loaded.state.step).toBe(2);
      const groups = opt.get('param_groups') as Map<string, unknown>[];
      expect(loaded.optimizer!.groups).toEqual([
        { name: 'encoder/decay', lr: groups[0].get('lr'), weightDecay: groups[0].get('weight_decay') },
        { name: 'predictor/decay', lr: groups[1].get('lr'), weightDecay: groups[1].get('weight_decay') },
        { name: 'encoder/no-decay', lr: groups[2].get('lr'), weightDecay: 0 },
        { name: 'predictor/no-decay', lr: groups[3].get('lr'), weightDecay: 0 },
      ]);
    } finally {
      file.close();
      models.encoder.dispose();
      models.predictor.dispose();
      models.targetEncoder.dispose();
    }
  });

  it('import then export: the same groups, member order, state positions and values as the original', async () => {
    const out = await imported();
    const back = join(out, 'back.pth.tar');
    await runConvert(out, back, { log: quiet, backend: 'cpu' });
    const a = openTorchFile(OFFICIAL_RUN);
    const b = openTorchFile(back);
    try {
      const ra = a.root as Map<string, unknown>;
      const rb = b.root as Map<string, unknown>;
      for (const key of ['epoch', 'loss', 'batch_size', 'world_size', 'lr', 'scaler']) expect(rb.get(key), key).toEqual(ra.get(key));
      expectSameStateDicts(ra, rb, ['encoder', 'predictor', 'target_encoder']);
      expectSameOptimizer(ra.get('opt') as Map<string, unknown>, rb.get('opt') as Map<string, unknown>);
    } finally {
      a.close();
      b.close();
    }
  });

  it('maps the groups by name whatever their order in the file', async () => {
    const reference = loadCheckpoint(await imported(), {}).optimizer!;
    const permuted = loadCheckpoint(await imported(withPermutedGroups([3, 1, 2, 0])), {}).optimizer!;
    expect(Object.keys(permuted.params).sort()).toEqual(Object.keys(reference.params).sort());
    for (const [key, slot] of Object.entries(reference.params)) {
      expect(Array.from(permuted.params[key].expAvg.data as Float32Array), key).toEqual(Array.from(slot.expAvg.data as Float32Array));
      expect(Array.from(permuted.params[key].expAvgSq.data as Float32Array), key).toEqual(Array.from(slot.expAvgSq.data as Float32Array));
    }
    expect(permuted.groups).toEqual(reference.groups);
  });

  it('refuses a file whose groups cannot be mapped: a data error naming the group and sizes', async () => {
    const file = openTorchFile(OFFICIAL_RUN);
    let bad: string;
    try {
      const root = new Map(file.root as Map<unknown, unknown>);
      const opt = new Map(root.get('opt') as Map<unknown, unknown>);
      const groups = [...(opt.get('param_groups') as Map<string, unknown>[])].map((g) => new Map(g));
      groups[1].set('params', (groups[1].get('params') as number[]).slice(0, 12)); // one position short
      opt.set('param_groups', groups);
      root.set('opt', opt);
      bad = join(mkdtempSync(join(tmpdir(), 'vjepa-bad-groups-')), 'bad.pth.tar');
      saveTorchFile(bad, root);
    } finally {
      file.close();
    }
    const error = await imported(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).not.toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/opt param_groups\[1\]: expected the size and shapes of one official group \(encoder\/decay 10 or 9, predictor\/decay 13 or 12, encoder\/no-decay 19, predictor\/no-decay 20 parameters\), received 12 parameters/);
  });
});

/** Made by the official vjepa2 training code (fixtures/vjepa2/make_official_run_fixture.py): RoPE, 10 mask tokens, groups 13, 20, 27, 20. */
const OFFICIAL_RUN_V2 = fixture('vjepa2/official-run.pt');

describe('the official optimiser layout of V-JEPA 2 (official-run.pt, made by the official vjepa2 training path)', () => {
  it('import: a V-JEPA 2 run whose weights and AdamW moments equal the file’s, by name; the nine unused mask tokens stateless', async () => {
    const out = await imported(OFFICIAL_RUN_V2, { heads: 2, frames: 8, imageSize: 16 });
    const config = savedRunConfig(out)!;
    expect(config.model).toMatchObject({ arch: 'vjepa2', encoder: { dim: 24, depth: 3, heads: 2, patch: 4, tubelet: 2, frames: 8, imageSize: 16 }, predictor: { dim: 24, depth: 2, heads: 2 } });
    const models = createPretrainingModels({ arch: 'vjepa2', encoder: config.model.encoder, predictor: config.model.predictor, seed: 0 });
    const file = openTorchFile(OFFICIAL_RUN_V2);
    try {
      const loaded = loadCheckpoint(out, { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder });
      const root = file.root as Map<unknown, unknown>;
      for (const [name, module] of [['encoder', models.encoder], ['predictor', models.predictor], ['target_encoder', models.targetEncoder]] as const) {
        const saved = root.get(name) as Map<string, TorchTensor>;
        expect([...module.stateDict().keys()], name).toEqual([...saved.keys()].map(stripped));
        for (const [key, t] of saved) expect(Buffer.from((module.stateDict().get(stripped(key))!.dataSync() as Float32Array).buffer).equals(bytes(t)), `${name}/${key}`).toBe(true);
      }
      const state = (root.get('opt') as Map<string, unknown>).get('state') as Map<number, Map<string, TorchTensor>>;
      const names = officialNames(root);
      expect(names).toHaveLength(80);
      let compared = 0;
      names.forEach((name, position) => {
        const entry = state.get(position);
        const slot = loaded.optimizer!.params[name];
        if (!entry) return expect(slot, name).toBeUndefined();
        expect(Buffer.from((slot.expAvg.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg')!)), `exp_avg ${name}`).toBe(true);
        expect(Buffer.from((slot.expAvgSq.data as Float32Array).buffer).equals(bytes(entry.get('exp_avg_sq')!)), `exp_avg_sq ${name}`).toBe(true);
        compared++;
      });
      expect(compared).toBe(71);
      expect(loaded.optimizer!.params['predictor/mask_tokens.0']).toBeDefined();
      expect(loaded.optimizer!.params['predictor/mask_tokens.1']).toBeUndefined();
    } finally {
      file.close();
      models.encoder.dispose();
      models.predictor.dispose();
      models.targetEncoder.dispose();
    }
  });

  it('import then export: the same groups, member order, state positions and values', async () => {
    const out = await imported(OFFICIAL_RUN_V2, { heads: 2, frames: 8, imageSize: 16 });
    const back = join(out, 'back.pt');
    await runConvert(out, back, { log: quiet, backend: 'cpu' });
    const a = openTorchFile(OFFICIAL_RUN_V2);
    const b = openTorchFile(back);
    try {
      const oa = (a.root as Map<string, unknown>).get('opt') as Map<string, unknown>;
      const ob = (b.root as Map<string, unknown>).get('opt') as Map<string, unknown>;
      expect((ob.get('param_groups') as Map<string, unknown>[]).map((g) => (g.get('params') as number[]).length)).toEqual([13, 20, 27, 20]);
      expectSameOptimizer(oa, ob);
      expectSameStateDicts(a.root as Map<string, unknown>, b.root as Map<string, unknown>, ['encoder', 'predictor', 'target_encoder']);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('matchOfficialGroups', () => {
  const member = (key: string, shape: number[], trainable = true) => ({ key, shape, trainable });
  const layout: OfficialLayout = {
    groups: [
      { name: 'm/decay', applyWeightDecay: true, members: [member('m/pos', [1, 4, 2], false), member('m/w', [2, 2]), member('m/v', [2, 3])] },
      { name: 'm/no-decay', applyWeightDecay: false, members: [member('m/b', [2]), member('m/c', [3])] },
    ],
    members: [],
  };
  layout.members = [layout.groups[0].members[0], layout.groups[1].members[0], layout.groups[0].members[1], layout.groups[1].members[1], layout.groups[0].members[2]];
  const shapes = (table: Record<number, number[]>) => (position: number) => table[position] ?? null;

  it('takes the official groups, frozen table included and stateless', () => {
    const m = matchOfficialGroups([{ params: [0, 1, 2] }, { params: [3, 4] }], layout, shapes({ 1: [2, 2], 2: [2, 3], 3: [2], 4: [3] }), 'f');
    expect(m.map((g) => [g.name, g.members.map((x) => x.key)])).toEqual([['m/decay', ['m/pos', 'm/w', 'm/v']], ['m/no-decay', ['m/b', 'm/c']]]);
  });

  it('takes groups without the frozen tables (earlier exports, requires_grad-filtered optimizers)', () => {
    const m = matchOfficialGroups([{ params: [0, 1] }, { params: [2, 3] }], layout, shapes({ 0: [2, 2], 1: [2, 3], 2: [2], 3: [3] }), 'f');
    expect(m[0].members.map((x) => x.key)).toEqual(['m/w', 'm/v']);
  });

  it('takes the groups in another order, by their sizes and shapes', () => {
    const m = matchOfficialGroups([{ params: [0, 1] }, { params: [2, 3, 4] }], layout, shapes({ 0: [2], 1: [3], 3: [2, 2], 4: [2, 3] }), 'f');
    expect(m.map((g) => g.name)).toEqual(['m/no-decay', 'm/decay']);
  });

  it('takes one group of every parameter in state-dict order', () => {
    const m = matchOfficialGroups([{ params: [0, 1, 2, 3] }], layout, shapes({ 0: [2], 1: [2, 2], 2: [3], 3: [2, 3] }), 'f');
    expect(m[0].members.map((x) => x.key)).toEqual(['m/b', 'm/w', 'm/c', 'm/v']);
  });

  it('refuses a state on a frozen table, a moment of another shape, and an unknown group count', () => {
    expect(() => matchOfficialGroups([{ params: [0, 1, 2] }, { params: [3, 4] }], layout, shapes({ 0: [1, 4, 2] }), 'f')).toThrow(DataError);
    expect(() => matchOfficialGroups([{ params: [0, 1, 2] }, { params: [3, 4] }], layout, shapes({ 1: [2, 3] }), 'f')).toThrow(/f param_groups\[0\]: expected the size and shapes of one official group \(m\/decay 3 or 2, m\/no-decay 2 parameters\), received 3 parameters/);
    expect(() => matchOfficialGroups([{ params: [0] }, { params: [1] }, { params: [2] }], layout, shapes({}), 'f')).toThrow(/f param_groups: expected 2 groups \(m\/decay, m\/no-decay\) or 1, received 3 groups/);
  });
});
