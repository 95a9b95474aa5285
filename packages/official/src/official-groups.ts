import { DataError, fail, sameShape, verbatim, type Module } from '@vjepa/core';
import { takesWeightDecay } from '@vjepa/trainer';

/** One member of an official AdamW parameter group. */
export interface OfficialMember {
  /** Our parameter key, `${module}/${officialKey}` (`encoder/blocks.0.attn.qkv.weight`). */
  key: string;
  shape: readonly number[];
  /**
   * False for the frozen sin-cos tables (`pos_embed`, `predictor_pos_embed`): the official `init_opt`
   * lists them (it filters `named_parameters()` by name and rank only, not by `requires_grad`), but they
   * never get a gradient, so they never get a state.
   */
  trainable: boolean;
}

/** An official AdamW parameter group: its name is the name of the matching group of `paramGroups`. */
export interface OfficialGroup {
  /** `encoder/decay`, `predictor/no-decay`, … (as `paramGroups` names them). */
  name: string;
  applyWeightDecay: boolean;
  /** In the official order: the module's `named_parameters()` order, which is its state-dict order. */
  members: OfficialMember[];
}

/** The official layout of an optimizer over some modules: its groups, and every member in module order. */
export interface OfficialLayout {
  groups: OfficialGroup[];
  /** Every member, module after module, each in state-dict order (the order of a single-group optimizer). */
  members: OfficialMember[];
}

/**
 * The parameter groups the official `init_opt` builds (spec §8), members included exactly as it lists
 * them: for `{ encoder, predictor }`, (encoder, decay), (predictor, decay), (encoder, no-decay),
 * (predictor, no-decay); for `{ classifier }` (the probe's `init_opt`), (classifier, decay),
 * (classifier, no-decay). Unlike our `paramGroups` (what the optimizer steps), the frozen tables are
 * members, so the positions of a `torch.optim.AdamW.state_dict()` line up with the official code's.
 *
 * @param modules - the modules in the official order.
 */
export function officialLayout(modules: Record<string, Module>): OfficialLayout {
  const decay: OfficialGroup[] = [];
  const noDecay: OfficialGroup[] = [];
  const members: OfficialMember[] = [];
  for (const [name, module] of Object.entries(modules)) {
    const withDecay: OfficialGroup = { name: `${name}/decay`, applyWeightDecay: true, members: [] };
    const withoutDecay: OfficialGroup = { name: `${name}/no-decay`, applyWeightDecay: false, members: [] };
    for (const [key, variable] of module.stateDict()) {
      const member = { key: `${name}/${key}`, shape: variable.shape, trainable: variable.trainable };
      (takesWeightDecay(key, variable.shape) ? withDecay : withoutDecay).members.push(member);
      members.push(member);
    }
    decay.push(withDecay);
    noDecay.push(withoutDecay);
  }
  return { groups: [...decay, ...noDecay], members };
}

/** What a saved `param_groups[i]` holds, as {@link matchOfficialGroups} needs it. */
export interface SavedGroup {
  /** The group's `params`: positions into `state`. */
  params: readonly number[];
}

/** One saved group matched to ours: the member at each of its positions. */
export interface MatchedGroup {
  /** The name of our group, or `all` for a file with a single group. */
  name: string;
  /** `members[i]` is the parameter at `params[i]` of the saved group. */
  members: OfficialMember[];
}

/**
 * Maps the groups of a saved `torch.optim.AdamW.state_dict()` to our parameters by name, whatever the
 * order of the file's groups: a saved group matches one of ours when it has as many positions as the
 * official group (or as its trainable members alone, as earlier exports and `requires_grad`-filtered
 * optimizers write it) and every position's saved moment has that member's shape, with no state at a
 * frozen table. A single saved group is matched to every member of every module in order. The official
 * order wins where several assignments fit.
 *
 * @param saved - the file's `param_groups`, in file order.
 * @param layout - ours, from {@link officialLayout}.
 * @param stateShape - the shape of the saved `exp_avg` at a position, or null where there is no state.
 * @param where - the file and entry, for messages.
 * @throws DataError naming the group and the sizes when a group matches none of ours, or no one-to-one assignment exists.
 */
export function matchOfficialGroups(
  saved: readonly SavedGroup[],
  layout: OfficialLayout,
  stateShape: (position: number) => readonly number[] | null,
  where: string,
): MatchedGroup[] {
  const { groups } = layout;
  const variants = (members: OfficialMember[]) => {
    const trainable = members.filter((m) => m.trainable);
    return trainable.length === members.length ? [members] : [members, trainable];
  };
  const fits = (group: SavedGroup, members: OfficialMember[]) =>
    group.params.length === members.length &&
    group.params.every((position, i) => {
      const shape = stateShape(position);
      return shape === null || (members[i].trainable && sameShape(shape, members[i].shape));
    });
  const sizes = (members: OfficialMember[][]) => members.map((m) => m.length).join(' or ');
  if (saved.length === 1) {
    const members = variants(layout.members).find((v) => fits(saved[0], v));
    if (!members) fail(`${where} param_groups[0]`, `one group of ${sizes(variants(layout.members))} parameters with their shapes (every module's parameters)`, verbatim(`${saved[0].params.length} parameters`), undefined, DataError);
    return [{ name: 'all', members }];
  }
  if (saved.length !== groups.length) {
    fail(`${where} param_groups`, `${groups.length} groups (${groups.map((g) => g.name).join(', ')}) or 1`, verbatim(`${saved.length} groups`), undefined, DataError);
  }
  const options = saved.map((group) => groups.flatMap((g, j) => variants(g.members).filter((v) => fits(group, v)).map((members) => ({ j, members }))));
  options.forEach((found, i) => {
    if (found.length === 0) {
      const expected = groups.map((g) => `${g.name} ${sizes(variants(g.members))}`).join(', ');
      fail(`${where} param_groups[${i}]`, `the size and shapes of one official group (${expected} parameters)`, verbatim(`${saved[i].params.length} parameters`), undefined, DataError);
    }
  });
  // a one-to-one assignment, trying each file group's own index first (the official order)
  const chosen: { j: number; members: OfficialMember[] }[] = [];
  const used = new Set<number>();
  const assign = (i: number): boolean => {
    if (i === saved.length) return true;
    const ordered = [...options[i]].sort((a, b) => Number(b.j === i) - Number(a.j === i));
    for (const option of ordered) {
      if (used.has(option.j)) continue;
      used.add(option.j);
      chosen[i] = option;
      if (assign(i + 1)) return true;
      used.delete(option.j);
    }
    return false;
  };
  if (!assign(0)) {
    fail(`${where} param_groups`, `groups that map one to one onto ${groups.map((g) => g.name).join(', ')}`, `sizes ${saved.map((g) => g.params.length).join(', ')}`, undefined, DataError);
  }
  return chosen.map(({ j, members }) => ({ name: groups[j].name, members }));
}
