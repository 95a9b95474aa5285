import { STORAGE_DTYPES, type TorchDtype } from './dtypes';
import { failFile, TorchFormatError } from './errors';
import type { StorageReader } from './storage-reader';
import { TorchTensor } from './tensor';
import { AllowedGlobalBase, type AllowedGlobal } from './unpickler';
import { PyOrderedDict, PyTuple, type StorageRef } from './values';

/** A `torch.<Name>Storage` class as a pickle names it in a persistent id. */
export class StorageType extends AllowedGlobalBase {
  /** @param name - `FloatStorage` …; @param dtype - its element type. */
  constructor(
    name: string,
    readonly dtype: TorchDtype,
  ) {
    super(`torch.${name}`);
  }
}

/** Thrown when a pickle names a global off the allow-list: the file is refused before anything runs. */
export class UnsafeGlobalError extends TorchFormatError {
  /** @param qualifiedName - the refused `module.name`; @param source - the file. */
  constructor(
    readonly qualifiedName: string,
    source: string,
  ) {
    super(
      `${source}: the pickle names the global '${qualifiedName}', which is not on the allow-list of a checkpoint ` +
        `(OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter, torch.*Storage and a few builtins); ` +
        'the file was refused before anything was called. Do not load it with torch.load either unless you trust its author.',
    );
  }
}

/** The module-qualified names a checkpoint may name, for documentation and tests. */
export const ALLOWED_GLOBALS: readonly string[] = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch.Size',
  'torch.device',
  'builtins.set',
  'builtins.frozenset',
  'builtins.bytearray',
  '_codecs.encode',
  ...Object.keys(STORAGE_DTYPES).map((name) => `torch.${name}`),
];

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function indexTuple(value: unknown, argument: string, source: string): number[] {
  if (!(value instanceof PyTuple) || !value.every(isIndex)) failFile(`${source}: ${argument}`, 'a tuple of non-negative integers', value);
  return [...value] as number[];
}

function isStorage(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === STORAGE_KIND;
}

/** The brand of the storage references a persistent id resolves to (never constructible from a pickle). */
export const STORAGE_KIND = Symbol('torch-storage');

/** A storage reference as {@link storageRef} makes it. */
export type BrandedStorage = StorageRef & { kind: typeof STORAGE_KIND };

/** A checked storage reference. */
export function storageRef(key: string, dtype: TorchDtype, numel: number, location: string, recordOffset = 0): BrandedStorage {
  return { kind: STORAGE_KIND, key, dtype, numel, location, recordOffset };
}

function rebuildTensor(args: unknown[], reader: StorageReader, minArgs: number): TorchTensor {
  const source = reader.name;
  if (args.length < minArgs) failFile(`${source}: _rebuild_tensor_v2 arguments`, `at least ${minArgs} (storage, offset, size, stride, …)`, args.length);
  const [storage, offset, size, stride, requiresGrad] = args;
  if (!isStorage(storage)) failFile(`${source}: _rebuild_tensor_v2 storage`, 'a storage persistent id', storage);
  if (!isIndex(offset)) failFile(`${source}: _rebuild_tensor_v2 storage_offset`, 'a non-negative integer', offset);
  const shape = indexTuple(size, '_rebuild_tensor_v2 size', source);
  const strides = indexTuple(stride, '_rebuild_tensor_v2 stride', source);
  return new TorchTensor(storage, offset, shape, strides, requiresGrad === true, reader);
}

function parameter(args: unknown[], source: string): TorchTensor {
  const [data, requiresGrad] = args;
  if (!(data instanceof TorchTensor)) failFile(`${source}: _rebuild_parameter data`, 'a tensor', data);
  return data.withRequiresGrad(requiresGrad === true);
}

function orderedDict(args: unknown[]): PyOrderedDict {
  const dict = new PyOrderedDict();
  if (args.length > 0 && Array.isArray(args[0])) {
    for (const pair of args[0] as unknown[]) {
      if (!(pair instanceof PyTuple) || pair.length !== 2) failFile('OrderedDict items', '(key, value) tuples', pair);
      dict.set(pair[0], pair[1]);
    }
  }
  return dict;
}

/**
 * The allow-list of a checkpoint's pickle, resolving names to our own implementations; anything else is
 * refused with an {@link UnsafeGlobalError} naming it, before any call.
 *
 * @param reader - the open file's storages (for the tensors built).
 */
export function checkpointGlobals(reader: StorageReader): (module: string, name: string) => AllowedGlobal {
  const builtins = (name: string): AllowedGlobal | undefined => {
    switch (name) {
      case 'set':
      case 'frozenset':
        return new AllowedGlobalBase(`builtins.${name}`, (args) => new Set(Array.isArray(args[0]) ? args[0] : []));
      case 'bytearray':
        return new AllowedGlobalBase('builtins.bytearray', (args) => (args[0] instanceof Uint8Array ? args[0] : new Uint8Array(0)));
    }
    return undefined;
  };
  return (module, name) => {
    const qualified = `${module}.${name}`;
    let found: AllowedGlobal | undefined;
    if (module === 'collections' && name === 'OrderedDict') found = new AllowedGlobalBase(qualified, orderedDict, orderedDict);
    else if (module === 'torch._utils' && name === '_rebuild_tensor_v2') found = new AllowedGlobalBase(qualified, (args) => rebuildTensor(args, reader, 4));
    else if (module === 'torch._utils' && name === '_rebuild_tensor') found = new AllowedGlobalBase(qualified, (args) => rebuildTensor(args, reader, 4));
    else if (module === 'torch._utils' && (name === '_rebuild_parameter' || name === '_rebuild_parameter_with_state')) {
      found = new AllowedGlobalBase(qualified, (args) => parameter(args, reader.name));
    } else if (module === 'torch' && name in STORAGE_DTYPES && Object.hasOwn(STORAGE_DTYPES, name)) found = new StorageType(name, STORAGE_DTYPES[name]);
    else if (module === 'torch' && name === 'Size') found = new AllowedGlobalBase(qualified, (args) => indexTuple(args[0], 'torch.Size', reader.name));
    else if (module === 'torch' && name === 'device') found = new AllowedGlobalBase(qualified, (args) => String(args.join(':')));
    else if (module === 'builtins' || module === '__builtin__') found = builtins(name);
    else if (module === '_codecs' && name === 'encode') {
      // Protocol 2 writes Python 3 bytes as _codecs.encode(text, 'latin1').
      found = new AllowedGlobalBase(qualified, (args) => {
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) failFile(`${reader.name}: _codecs.encode`, "(str, 'latin1')", args);
        return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
      });
    }
    if (!found) throw new UnsafeGlobalError(qualified, reader.name);
    return found;
  };
}

/**
 * The BUILD opcodes a checkpoint needs: `OrderedDict` state (a state dict's `_metadata`) and a
 * parameter's `__dict__`/`__setstate__` state, which are accepted and dropped; anything else is refused.
 */
export function checkpointBuild(target: unknown, _state: unknown): boolean {
  return target instanceof PyOrderedDict || target instanceof TorchTensor;
}

/**
 * Resolves a zip-format persistent id `('storage', torch.XStorage, key, location, numel)`.
 *
 * @param pid - the persistent id.
 * @param source - the file name for errors.
 */
export function parseStoragePid(pid: unknown, source: string): { type: StorageType; key: string; location: string; numel: number; view: unknown } {
  if (!(pid instanceof PyTuple) || pid.length < 5 || pid[0] !== 'storage') failFile(`${source}: persistent id`, "('storage', type, key, location, numel)", pid);
  const [, type, key, location, numel, view] = pid;
  if (!(type instanceof StorageType)) failFile(`${source}: persistent id storage type`, 'a torch.*Storage class', type);
  if (typeof key !== 'string' || !/^[\w.-]{1,200}$/.test(key)) failFile(`${source}: persistent id key`, 'a short record name', key);
  if (typeof location !== 'string') failFile(`${source}: persistent id location`, "a device string such as 'cpu'", location);
  if (!isIndex(numel)) failFile(`${source}: persistent id numel`, 'a non-negative integer', numel);
  return { type, key, location, numel, view };
}
