import { CheckpointError, fail, type HostTensor } from '@vjepa/core';
import type { AdamWState } from '@vjepa/trainer';
import { PyFloat, pyTuple, TorchTensor, type TensorValue } from '@vjepa/torch-format';
import { matchOfficialGroups, type OfficialLayout } from './official-groups';

function f32(shape: readonly number[], data: Float32Array): TensorValue {
  return { dtype: 'F32', shape: [...shape], data };
}

/** The hyper-parameters of a group where the optimizer state has none (a run that never stepped). */
export interface GroupDefaults {
  lr: number;
  weightDecay: number;
}

/**
 * Our AdamW state → `torch.optim.AdamW.state_dict()` in the official layout: every member of every
 * official group listed (the frozen tables too, without a state), positions numbered through the groups
 * in order, `state[position]` = `{step, exp_avg, exp_avg_sq}` for each parameter that was stepped, and the
 * group entries as PyTorch 1.13 writes them (`WD_exclude` and `weight_decay` 0 first on the no-decay groups).
 *
 * @param layout - from {@link officialLayout}.
 * @param optimizer - our state (its `params` keyed `${module}/${key}`), or undefined for a fresh optimizer.
 * @param defaults - lr and weight decay of groups the state does not name.
 */
export function toOfficialOptimizer(layout: OfficialLayout, optimizer: AdamWState | undefined, defaults: GroupDefaults): Map<string, unknown> {
  const settings = new Map((optimizer?.groups ?? []).map((g) => [g.name, g]));
  const state = new Map<number, Map<string, unknown>>();
  const groups: Map<string, unknown>[] = [];
  let position = 0;
  for (const group of layout.groups) {
    const params: number[] = [];
    for (const member of group.members) {
      const slot = member.trainable ? optimizer?.params[member.key] : undefined;
      if (slot) {
        state.set(
          position,
          new Map<string, unknown>([
            ['step', f32([], new Float32Array([slot.step]))],
            ['exp_avg', f32(member.shape, Float32Array.from(slot.expAvg.data as Float32Array))],
            ['exp_avg_sq', f32(member.shape, Float32Array.from(slot.expAvgSq.data as Float32Array))],
          ]),
        );
      }
      params.push(position++);
    }
    const lr = new PyFloat(settings.get(group.name)?.lr ?? defaults.lr);
    const common: [string, unknown][] = [
      ['lr', lr],
      ['betas', pyTuple([new PyFloat(0.9), new PyFloat(0.999)])],
      ['eps', new PyFloat(1e-8)],
    ];
    const flags: [string, unknown][] = [
      ['amsgrad', false],
      ['foreach', null],
      ['maximize', false],
      ['capturable', false],
    ];
    const entry = group.applyWeightDecay
      ? new Map<string, unknown>([...common, ['weight_decay', new PyFloat(settings.get(group.name)?.weightDecay ?? defaults.weightDecay)], ...flags])
      : new Map<string, unknown>([['WD_exclude', true], ['weight_decay', 0], ...common, ...flags]);
    entry.set('params', params);
    groups.push(entry);
  }
  return new Map<string, unknown>([
    ['state', state],
    ['param_groups', groups],
  ]);
}

function scalar(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  if (value instanceof TorchTensor && value.numel === 1) return value.readFloat32()[0];
  fail(where, 'a number or a one-element tensor', value, undefined, CheckpointError);
}

function host(value: unknown, where: string): HostTensor {
  if (!(value instanceof TorchTensor)) fail(where, 'a tensor', value, undefined, CheckpointError);
  return { shape: [...value.shape], data: value.readFloat32() };
}

/**
 * `torch.optim.AdamW.state_dict()` → our AdamW state, each position mapped to our parameter by name
 * through {@link matchOfficialGroups} (official groups in any order, with or without the frozen tables, or
 * a single group). Every moment's shape is checked; the frozen tables get no state.
 *
 * @param opt - the file's `opt` entry.
 * @param layout - ours, from {@link officialLayout}.
 * @param where - the file, for messages.
 * @throws DataError when the groups cannot be mapped (naming the group and sizes); CheckpointError when the entry is malformed.
 */
export function fromOfficialOptimizer(opt: unknown, layout: OfficialLayout, where: string): AdamWState {
  if (!(opt instanceof Map)) fail(`${where}: opt`, 'an optimizer state_dict', opt, undefined, CheckpointError);
  const saved = opt.get('param_groups');
  const state = opt.get('state');
  if (!Array.isArray(saved) || !saved.every((g) => g instanceof Map) || !(state instanceof Map)) {
    fail(`${where}: opt`, 'state and param_groups', [...opt.keys()].map(String), undefined, CheckpointError);
  }
  const savedGroups = (saved as Map<string, unknown>[]).map((g, i) => {
    const params = g.get('params');
    if (!Array.isArray(params) || !params.every(Number.isInteger)) fail(`${where}: opt param_groups[${i}].params`, 'a list of positions', params, undefined, CheckpointError);
    return { params: params as number[], settings: g };
  });
  const stateShape = (position: number) => {
    const entry = state.get(position);
    if (!(entry instanceof Map)) return null;
    const moment = entry.get('exp_avg');
    return moment instanceof TorchTensor ? moment.shape : [];
  };
  const matched = matchOfficialGroups(savedGroups, layout, stateShape, `${where}: opt`);
  const params: AdamWState['params'] = {};
  const groupSettings = new Map<string, Map<string, unknown>>();
  matched.forEach(({ name, members }, i) => {
    groupSettings.set(name, savedGroups[i].settings);
    savedGroups[i].params.forEach((position, k) => {
      const entry = state.get(position);
      if (!(entry instanceof Map)) return; // never stepped (or a frozen table)
      const member = members[k];
      const at = `${where}: opt state ${position} (${member.key})`;
      const expAvg = host(entry.get('exp_avg'), `${at} exp_avg`);
      const expAvgSq = host(entry.get('exp_avg_sq'), `${at} exp_avg_sq`);
      if (expAvgSq.shape.join() !== member.shape.join()) fail(`${at} exp_avg_sq`, `shape [${member.shape}]`, expAvgSq.shape, undefined, CheckpointError);
      params[member.key] = { step: Math.round(scalar(entry.get('step'), `${at} step`)), expAvg, expAvgSq };
    });
  });
  const single = groupSettings.get('all');
  const groups = layout.groups.map((g) => {
    const settings = single ?? groupSettings.get(g.name)!;
    return { name: g.name, lr: Number(settings.get('lr')), weightDecay: g.applyWeightDecay ? Number(settings.get('weight_decay')) : 0 };
  });
  const stepCount = Math.max(0, ...Object.values(params).map((p) => p.step));
  return { stepCount, groups, params };
}
