import { CheckpointError, fail, verbatim } from '@vjepa/core';
import { parseTorchFile, stripOfficialPrefixes, TorchTensor, type TorchFile } from '@vjepa/torch-format';
import { checkReadOptions, describeStates, orderStates, type Vjepa2Checkpoint, type Vjepa2ReadOptions } from './checkpoint';
import { lazyFromTorch, type LazyStateDict } from './lazy-tensor';
import { looksLike, refuse } from './recognise';

/** A state dict of a `torch.save` file as lazy tensors, `module.` and `backbone.` stripped. */
function lazyState(dict: unknown, where: string): LazyStateDict {
  if (!(dict instanceof Map)) fail(where, 'a state dict', dict, undefined, CheckpointError);
  const out: LazyStateDict = new Map();
  for (const [name, tensor] of dict) {
    if (typeof name !== 'string' || !(tensor instanceof TorchTensor)) fail(`${where}[${String(name)}]`, 'a tensor under a string key', tensor, undefined, CheckpointError);
    const key = stripOfficialPrefixes(name);
    if (out.has(key)) fail(`${where}[${name}]`, 'one tensor per key once module./backbone. are stripped', `a second '${key}'`, undefined, CheckpointError);
    out.set(key, lazyFromTorch(tensor, `${where}[${name}]`));
  }
  return out;
}

function shapes(state: LazyStateDict): Map<string, readonly number[]> {
  return new Map([...state].map(([k, t]) => [k, t.shape]));
}

/** Refuses a state dict that is not of V-JEPA 2 (a V-JEPA 1 encoder with its pos_embed, …). */
function refuseOther(state: LazyStateDict, source: string): void {
  const what = looksLike(shapes(state));
  if (what !== null) refuse(source, what);
}

/**
 * The V-JEPA 2 checkpoint of an opened `torch.save` file (unpickled with the allow-list, so a pickle
 * naming any other global was refused before anything ran): a pretraining checkpoint (`encoder`,
 * `target_encoder`, `predictor`, and `opt`, `scaler`, `epoch`… whose tensors are never read), a probe
 * checkpoint (`classifiers[0]`), or a bare encoder state dict. Prefixes `module.` and `backbone.` are
 * stripped. Tensors stay in the file until read; closing the result closes the file (also when this throws).
 *
 * @param file - the opened file.
 * @param options - which encoder, and what the shapes cannot say.
 * @throws CheckpointError for another architecture, missing or unexpected keys; UsageError for bad options.
 */
export function officialVjepa2Of(file: TorchFile, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  try {
    checkReadOptions(options);
    return fromTorchFile(file, file.source, options);
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * {@link officialVjepa2Of} of the bytes of a `.pt` in memory (what a browser has of a dropped file).
 *
 * @param bytes - the whole file.
 * @param name - its name in messages (a `384` in it means a 384 px model where nothing else says).
 * @param options - see {@link officialVjepa2Of}.
 */
export function parseOfficialVjepa2(bytes: Uint8Array, name: string, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  checkReadOptions(options);
  return officialVjepa2Of(parseTorchFile(bytes, name), options);
}

function fromTorchFile(file: TorchFile, path: string, options: Vjepa2ReadOptions): Vjepa2Checkpoint {
  const root = file.root;
  if (!(root instanceof Map)) fail(`${path}: the saved object`, 'a dict (a checkpoint)', root, undefined, CheckpointError);
  const assumed: string[] = [];
  let encoder: LazyStateDict | null = null;
  let predictor: LazyStateDict | null = null;
  let probe: LazyStateDict | null = null;
  let encoderKey: string | null = null;
  let format: Vjepa2Checkpoint['format'] = 'official-pretrain';
  if (root.has('classifiers')) {
    const list = root.get('classifiers');
    if (!Array.isArray(list) || list.length === 0) fail(`${path}: classifiers`, 'a list of probe state dicts', list, undefined, CheckpointError);
    probe = lazyState(list[0], `${path}: classifiers[0]`);
    refuseOther(probe, `${path}: classifiers[0]`);
    format = 'official-probe';
  } else if (root.has('classifier')) {
    refuseOther(lazyState(root.get('classifier'), `${path}: classifier`), `${path}: classifier`);
    refuse(path, "a probe checkpoint with a single 'classifier' (the V-JEPA 1 layout; V-JEPA 2 saves 'classifiers')");
  } else if (root.has('encoder') || root.has('target_encoder')) {
    encoderKey = options.encoder ?? 'encoder';
    if (!root.has(encoderKey)) fail(`${path}: ${encoderKey}`, `an entry '${encoderKey}' (options.encoder)`, verbatim(`only ${[...root.keys()].map(String).join(', ')}`), undefined, CheckpointError);
    encoder = lazyState(root.get(encoderKey), `${path}: ${encoderKey}`);
    refuseOther(encoder, `${path}: ${encoderKey}`);
    if (root.has('predictor') && root.get('predictor') !== null) {
      const candidate = lazyState(root.get('predictor'), `${path}: predictor`);
      if (candidate.has('action_encoder.weight')) assumed.push('the predictor is V-JEPA 2-AC (action-conditioned) and was not read');
      else {
        refuseOther(candidate, `${path}: predictor`);
        predictor = candidate;
      }
    }
  } else {
    const bare = [...root.values()].every((v) => v instanceof TorchTensor) ? lazyState(root, path) : null;
    if (!bare || !bare.has('patch_embed.proj.weight')) {
      const names = bare ? shapes(bare) : new Map([...root.keys()].map((k) => [String(k), [] as number[]]));
      refuse(path, looksLike(names) ?? `a dict of ${[...root.keys()].slice(0, 6).map(String).join(', ')}`);
    }
    refuseOther(bare, path);
    encoder = bare;
    encoderKey = '';
  }
  const states = { encoder, predictor, probe };
  const arch = describeStates(states, { source: path }, options);
  arch.assumed.push(...assumed);
  const ordered = orderStates(states, arch);
  return { format, source: path, arch, ...ordered, encoderKey, close: () => file.close() };
}
