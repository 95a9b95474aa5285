import { verbatim } from '@vjepa/base';
import { PickleCursor } from './pickle-cursor';
import { PyTuple, pyTuple } from './values';

/**
 * A Python global a pickle may name, as the allow-list resolves it. Nothing a file names is ever looked
 * up anywhere else: a GLOBAL/STACK_GLOBAL outside the list is refused by name before anything is called.
 */
export interface AllowedGlobal {
  /** `module.name`, for error messages. */
  readonly qualifiedName: string;
  /** What REDUCE does with it (`callable(*args)`); absent: REDUCE refuses it. */
  call?(args: unknown[]): unknown;
  /** What NEWOBJ/OBJ/INST do with it (`cls.__new__(cls, *args)`); absent: refused. */
  construct?(args: unknown[]): unknown;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Resolves `module.name`; must throw (naming it) for anything not on the allow-list. */
  findGlobal(module: string, name: string): AllowedGlobal;
  /** Resolves a persistent id (BINPERSID/PERSID); absent: persistent ids are refused. */
  persistentLoad?(pid: unknown): unknown;
  /** Applies BUILD state to an object; absent or returning false: refused. */
  build?(target: unknown, state: unknown): boolean;
  /** Deepest nesting of containers (default 100). */
  maxDepth?: number;
  /** Most memo entries (default 1 << 22). */
  maxMemo?: number;
  /** The name used in error messages. */
  source?: string;
}

/** The result of {@link unpickle}: the value and the offset just past its STOP opcode. */
export interface Unpickled {
  value: unknown;
  end: number;
}

/** Longest integer accepted (LONG1/LONG4), in bytes: 4096 bits is far beyond any checkpoint. */
const MAX_LONG_BYTES = 512;

/**
 * Unpickles the opcodes of protocols 0–5 that carry data, without ever running code: globals come only
 * from `options.findGlobal`, calls only from what it returns. Every length and memo index is checked
 * against what remains; nesting and memo sizes are capped; integers beyond 2^53 become BigInt; dicts become
 * Maps, so a key like `__proto__` is only a key.
 *
 * @param bytes - the pickle (and possibly what follows it).
 * @param options - the allow-list and limits.
 * @param start - offset of the first opcode.
 * @throws TorchFormatError naming the opcode, offset and problem.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions, start = 0): Unpickled {
  return new Unpickler(bytes, options, start).run();
}

export { PickleTruncatedError } from './pickle-cursor';

class Unpickler {
  private readonly in: PickleCursor;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly depth = new WeakMap<object, number>();
  private readonly source: string;
  private readonly maxDepth: number;
  private readonly maxMemo: number;

  constructor(
    bytes: Uint8Array,
    private readonly options: UnpickleOptions,
    start: number,
  ) {
    this.source = options.source ?? '<pickle>';
    this.in = new PickleCursor(bytes, start, this.source);
    this.maxDepth = options.maxDepth ?? 100;
    this.maxMemo = options.maxMemo ?? 1 << 22;
  }

  private error(expected: string, received: unknown): never {
    return this.in.error(expected, received);
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }
  private pop(): unknown {
    if (this.stack.length === 0 || (this.marks.length > 0 && this.stack.length <= this.marks[this.marks.length - 1])) {
      this.error('a value on the stack', verbatim('an empty stack (or a MARK)'));
    }
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) this.error('a value on the stack', verbatim('an empty stack'));
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.error('a MARK before this opcode', verbatim('none'));
    return this.stack.splice(mark);
  }
  private memoPut(index: number): void {
    if (this.memo.size >= this.maxMemo && !this.memo.has(index)) this.error(`at most ${this.maxMemo} memo entries`, this.memo.size + 1);
    this.memo.set(index, this.top());
  }
  private memoGet(index: number): void {
    if (!this.memo.has(index)) this.error(`a memo index that was stored (${this.memo.size} entries)`, index);
    this.push(this.memo.get(index));
  }

  /** Records that `child` now sits inside `container`, refusing nesting deeper than the cap. */
  private nest(container: object, child: unknown): void {
    const inner = child !== null && typeof child === 'object' ? (this.depth.get(child) ?? 0) : 0;
    const depth = Math.max(this.depth.get(container) ?? 0, inner + 1);
    if (depth > this.maxDepth) this.error(`containers nested at most ${this.maxDepth} deep`, depth);
    this.depth.set(container, depth);
  }

  private list(): unknown[] {
    const target = this.top();
    if (!Array.isArray(target) || target instanceof PyTuple) this.error('a list to append to', target);
    return target;
  }
  private dict(): Map<unknown, unknown> {
    const target = this.top();
    if (!(target instanceof Map)) this.error('a dict to set items in', target);
    return target;
  }
  private setItems(items: unknown[]): void {
    if (items.length % 2 !== 0) this.error('key/value pairs', `${items.length} items`);
    const dict = this.dict();
    for (let i = 0; i < items.length; i += 2) {
      checkKey(items[i], (e, r) => this.error(e, r));
      dict.set(items[i], items[i + 1]);
      this.nest(dict, items[i + 1]);
    }
  }
  private tuple(items: unknown[]): PyTuple {
    const tuple = pyTuple(items);
    for (const item of items) this.nest(tuple, item);
    return tuple;
  }
  private global(module: string, name: string): void {
    this.push(this.options.findGlobal(module, name));
  }
  private callable(value: unknown, how: 'call' | 'construct', opcode: string): AllowedGlobal {
    if (!isAllowedGlobal(value) || !value[how]) {
      const named = isAllowedGlobal(value) ? value.qualifiedName : undefined;
      this.error(`an allowed ${how === 'call' ? 'callable' : 'class'} for ${opcode}`, named ? verbatim(named) : value);
    }
    return value;
  }
  private args(value: unknown): unknown[] {
    if (!(value instanceof PyTuple)) this.error('an argument tuple', value);
    return [...value];
  }

  run(): Unpickled {
    for (;;) {
      this.in.startOpcode();
      const op = this.in.u8();
      switch (op) {
        case 0x80: // PROTO
          if (this.in.u8() > 5) this.error('pickle protocol 0 to 5', this.in.previousByte);
          break;
        case 0x95: // FRAME: the frame length only groups opcodes
          this.in.u64();
          break;
        case 0x2e: // STOP
          if (this.stack.length !== 1 || this.marks.length > 0) this.error('exactly one value on the stack at STOP', `${this.stack.length} values`);
          return { value: this.stack[0], end: this.in.position };
        case 0x28: // MARK
          if (this.marks.length >= this.maxDepth) this.error(`MARKs nested at most ${this.maxDepth} deep`, this.marks.length + 1);
          this.marks.push(this.stack.length);
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4b: // BININT1
          this.push(this.in.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.in.u16());
          break;
        case 0x4a: // BININT
          this.push(this.in.i32());
          break;
        case 0x8a: // LONG1
          this.push(this.in.long(this.in.u8()));
          break;
        case 0x8b: {
          // LONG4
          const length = this.in.i32();
          if (length < 0 || length > MAX_LONG_BYTES) this.error(`an integer of at most ${MAX_LONG_BYTES} bytes`, length);
          this.push(this.in.long(length));
          break;
        }
        case 0x49: // INT (text): also I01/I00 for True/False in protocol 0
          this.push(this.in.textInt(this.in.line(), true));
          break;
        case 0x4c: // LONG (text)
          this.push(this.in.textInt(this.in.line().replace(/L$/, ''), false));
          break;
        case 0x47: // BINFLOAT, big-endian
          this.push(this.in.f64());
          break;
        case 0x46: {
          // FLOAT (text)
          const text = this.in.line().trim().toLowerCase();
          const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN, '-nan': NaN };
          const value = text in special ? special[text] : text === '' ? NaN : Number(text);
          if (Number.isNaN(value) && !(text in special)) this.error('a float literal', text);
          this.push(value);
          break;
        }
        case 0x58: // BINUNICODE
          this.push(this.in.text(this.in.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.in.text(this.in.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.in.text(this.in.u64()));
          break;
        case 0x56: // UNICODE (raw-unicode-escape text)
          this.push(this.in.line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) => String.fromCodePoint(parseInt(a ?? b, 16))));
          break;
        case 0x55: // SHORT_BINSTRING (Python 2 str)
          this.push(this.in.latin1(this.in.blob(this.in.u8())));
          break;
        case 0x54: // BINSTRING
          this.push(this.in.latin1(this.in.blob(this.in.i32())));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.in.blob(this.in.u8()));
          break;
        case 0x42: // BINBYTES
          this.push(this.in.blob(this.in.u32()));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.in.blob(this.in.u64()));
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: {
          // LIST
          const list = this.popMark();
          this.push(list);
          for (const item of list) this.nest(list, item);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.pop();
          const list = this.list();
          list.push(item);
          this.nest(list, item);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          const list = this.list();
          for (const item of items) {
            list.push(item);
            this.nest(list, item);
          }
          break;
        }
        case 0x29: // EMPTY_TUPLE
          this.push(pyTuple([]));
          break;
        case 0x74: // TUPLE
          this.push(this.tuple(this.popMark()));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const n = op - 0x84;
          const items: unknown[] = [];
          for (let i = 0; i < n; i++) items.unshift(this.pop());
          this.push(this.tuple(items));
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: {
          // DICT
          const items = this.popMark();
          this.push(new Map());
          this.setItems(items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems([key, value]);
          break;
        }
        case 0x75: // SETITEMS
          this.setItems(this.popMark());
          break;
        case 0x8f: // EMPTY_SET
          this.push(new Set());
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof Set)) this.error('a set to add to', set);
          for (const item of items) {
            checkKey(item, (e, r) => this.error(e, r));
            set.add(item);
          }
          break;
        }
        case 0x91: {
          // FROZENSET
          const items = this.popMark();
          for (const item of items) checkKey(item, (e, r) => this.error(e, r));
          this.push(new Set(items));
          break;
        }
        case 0x67: // GET
          this.memoGet(this.in.textIndex(this.in.line()));
          break;
        case 0x68: // BINGET
          this.memoGet(this.in.u8());
          break;
        case 0x6a: // LONG_BINGET
          this.memoGet(this.in.u32());
          break;
        case 0x70: // PUT
          this.memoPut(this.in.textIndex(this.in.line()));
          break;
        case 0x71: // BINPUT
          this.memoPut(this.in.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.in.u32());
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x63: {
          // GLOBAL
          const module = this.in.line();
          this.global(module, this.in.line());
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.error('two strings (module, name)', [module, name]);
          this.global(module, name);
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.args(this.pop());
          const callable = this.callable(this.pop(), 'call', 'REDUCE');
          this.push(callable.call!(args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.args(this.pop());
          const cls = this.callable(this.pop(), 'construct', 'NEWOBJ');
          this.push(cls.construct!(args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.args(this.pop());
          const cls = this.callable(this.pop(), 'construct', 'NEWOBJ_EX');
          if (!(kwargs instanceof Map) || kwargs.size > 0) this.error('no keyword arguments for NEWOBJ_EX', kwargs);
          this.push(cls.construct!(args));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = this.popMark();
          if (items.length === 0) this.error('a class after the MARK of OBJ', verbatim('nothing'));
          const cls = this.callable(items[0], 'construct', 'OBJ');
          this.push(cls.construct!(items.slice(1)));
          break;
        }
        case 0x69: {
          // INST
          const module = this.in.line();
          const cls = this.callable(this.options.findGlobal(module, this.in.line()), 'construct', 'INST');
          this.push(cls.construct!(this.popMark()));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          const target = this.top();
          if (!this.options.build?.(target, state)) this.error('an object of an allowed class for BUILD', target);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = this.pop();
          if (!this.options.persistentLoad) this.error('no persistent ids', pid);
          this.push(this.options.persistentLoad(pid));
          break;
        }
        case 0x50: {
          // PERSID
          const pid = this.in.line();
          if (!this.options.persistentLoad) this.error('no persistent ids', pid);
          this.push(this.options.persistentLoad(pid));
          break;
        }
        default:
          this.error('a data opcode of pickle protocols 0-5 (no EXT, no out-of-band buffers)', verbatim(`0x${op.toString(16).padStart(2, '0')}`));
      }
    }
  }
}

/** Keys must be hashable in Python: a Map keyed by a mutable list or dict would be meaningless. */
function checkKey(key: unknown, error: (expected: string, received: unknown) => never): void {
  if ((Array.isArray(key) && !(key instanceof PyTuple)) || key instanceof Map || key instanceof Set) {
    error('a hashable key (str, int, float, tuple, None)', key);
  }
}

/** Whether `value` came from the allow-list. */
export function isAllowedGlobal(value: unknown): value is AllowedGlobal {
  return value instanceof AllowedGlobalBase;
}

/** The base of every allow-list entry (so a value in a pickle can never pose as one). */
export class AllowedGlobalBase implements AllowedGlobal {
  /**
   * @param qualifiedName - `module.name`.
   * @param call - REDUCE behaviour.
   * @param construct - NEWOBJ/OBJ/INST behaviour.
   */
  constructor(
    readonly qualifiedName: string,
    readonly call?: (args: unknown[]) => unknown,
    readonly construct?: (args: unknown[]) => unknown,
  ) {}
}
