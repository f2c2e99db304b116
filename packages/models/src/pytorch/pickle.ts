/**
 * A restricted pickle reader: enough of the protocol (2 to 5) for what `torch.save(state_dict)`
 * writes, and nothing that executes code. Globals are resolved through a caller-supplied
 * allowlist; any other GLOBAL / STACK_GLOBAL is refused with an error naming it. REDUCE and BUILD
 * only ever call the allowlisted constructors. Work and memory are linear in the stream and
 * bounded: integers are at most 8 bytes, and the stack, the memo and the number of containers
 * built have explicit limits, so every failure is a `WaveMixPickleError`.
 */
import { WaveMixPickleError } from '../errors';

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict or OrderedDict (insertion-ordered). Keys are strings or numbers. */
export class PyDict {
  readonly map = new Map<string | number | boolean | null, PyValue>();
  /** Attributes set by BUILD (OrderedDict's `_metadata`); kept, never interpreted. */
  attributes?: PyValue;
}

/** A reference to an allowlisted global; `call` is what REDUCE does with it. */
export class PyCallable {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call: (args: PyValue[], offset: number) => PyValue,
  ) {}
}

/** Anything else a callable or persistent_load produced (tensors, storages). */
export class PyOpaque<T = unknown> {
  constructor(
    readonly kind: string,
    readonly value: T,
  ) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyCallable
  | PyOpaque;

export interface UnpickleOptions {
  /** Returns the value a (module, name) global stands for, or undefined to refuse it. */
  findGlobal: (module: string, name: string) => PyValue | undefined;
  /** Resolves a BINPERSID id (torch uses it for tensor storages). */
  persistentLoad?: (pid: PyValue, offset: number) => PyValue;
  /** Named in the refusal message. */
  allowedGlobalsDescription?: string;
  /** Most items (MARKs included) the stack may hold. Default 100,000. */
  maxStack?: number;
  /** Most memo entries. Default 1,000,000. */
  maxMemo?: number;
  /** Most containers (tuples, lists, dicts, REDUCE and persistent-load results) built. Default 200,000. */
  maxContainers?: number;
}

/** A state_dict only holds integers that fit int64 (sizes, strides, offsets); longer LONG1/LONG4 values are refused. */
export const MAX_LONG_BYTES = 8;

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { maxStack = 100_000, maxMemo = 1_000_000, maxContainers = 200_000 } = options;
  const stack: StackItem[] = [];
  /** Stack positions of the MARKs (a metastack, so popMark is not a scan). */
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let containers = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let pos = 0;
  let opStart = 0;

  const fail = (message: string): never => {
    throw new WaveMixPickleError(message, opStart);
  };
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) fail(`needs ${n} more bytes but the stream ends at ${bytes.length}`);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the stream`);
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line');
    const text = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const text = (n: number) => {
    try {
      return utf8.decode(take(n));
    } catch {
      return fail('invalid UTF-8 string');
    }
  };
  const push = (value: StackItem) => {
    if (stack.length >= maxStack) fail(`stack holds more than ${maxStack} items; a state_dict never needs that many`);
    stack.push(value);
  };
  const built = <T>(value: T): T => {
    if (++containers > maxContainers)
      fail(`builds more than ${maxContainers} containers; a state_dict never needs that many`);
    return value;
  };
  const remember = (index: number) => {
    if (!memo.has(index) && memo.size >= maxMemo) fail(`memo holds more than ${maxMemo} entries`);
    memo.set(index, top());
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail('stack underflow');
    if (marks.length && marks[marks.length - 1] === stack.length - 1) fail('unexpected MARK on the stack');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const at = marks.pop();
    if (at === undefined) fail('no MARK on the stack');
    const items = stack.splice(at!) as StackItem[];
    items.shift();
    return items as PyValue[];
  };
  const dictKey = (key: PyValue): string | number | boolean | null => {
    if (key === null || typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean') return key;
    if (typeof key === 'bigint') return Number(key);
    return fail(`unsupported dict key type (${describe(key)})`);
  };
  const setItems = (target: PyValue, pairs: PyValue[]) => {
    if (!(target instanceof PyDict)) fail(`SETITEM(S) on ${describe(target)}, not a dict`);
    if (pairs.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < pairs.length; i += 2) (target as PyDict).map.set(dictKey(pairs[i]!), pairs[i + 1]!);
  };
  const resolveGlobal = (module: string, name: string): PyValue => {
    const value = options.findGlobal(module, name);
    if (value === undefined) {
      fail(
        `refusing global '${module}.${name}': only ${options.allowedGlobalsDescription ?? 'allowlisted globals'} are loaded, ` +
          'nothing else is constructed or executed',
      );
    }
    return value!;
  };
  const signedLittleEndian = (length: number): bigint => {
    if (length > MAX_LONG_BYTES)
      fail(`a ${length}-byte LONG integer; a state_dict needs at most ${MAX_LONG_BYTES} bytes`);
    const data = take(length);
    let value = 0n;
    for (let i = data.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
    if (data.length > 0 && data[data.length - 1]! & 0x80) value -= 1n << BigInt(8 * data.length);
    return value;
  };
  const number = (value: bigint): number | bigint =>
    value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;

  for (;;) {
    opStart = pos;
    const op = u8();
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        need(8);
        pos += 8;
        break; // FRAME: framing only
      case 0x2e: {
        // STOP
        const result = pop();
        if (stack.length) fail(`${stack.length} items left on the stack at STOP`);
        return result;
      }
      case 0x28:
        marks.push(stack.length);
        push(MARK);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        push(top());
        break; // DUP
      case 0x4e:
        push(null);
        break; // NONE
      case 0x88:
        push(true);
        break; // NEWTRUE
      case 0x89:
        push(false);
        break; // NEWFALSE
      case 0x4a:
        push(i32());
        break; // BININT
      case 0x4b:
        push(u8());
        break; // BININT1
      case 0x4d:
        push(u16());
        break; // BININT2
      case 0x8a:
        push(number(signedLittleEndian(u8())));
        break; // LONG1
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail('negative LONG4 length');
        push(number(signedLittleEndian(n)));
        break;
      }
      case 0x47: {
        need(8);
        push(view.getFloat64(pos, false));
        pos += 8;
        break;
      } // BINFLOAT (big-endian)
      case 0x58:
        push(text(u32()));
        break; // BINUNICODE
      case 0x8c:
        push(text(u8()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        push(text(u64()));
        break; // BINUNICODE8
      case 0x54: {
        const n = i32();
        if (n < 0) fail('negative BINSTRING length');
        push(latin1.decode(take(n)));
        break;
      }
      case 0x55:
        push(latin1.decode(take(u8())));
        break; // SHORT_BINSTRING
      case 0x42:
        push(take(u32()).slice());
        break; // BINBYTES
      case 0x43:
        push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x8e:
        push(take(u64()).slice());
        break; // BINBYTES8
      case 0x29:
        push(built(new PyTuple([])));
        break; // EMPTY_TUPLE
      case 0x74:
        push(built(new PyTuple(popMark())));
        break; // TUPLE
      case 0x85:
        push(built(new PyTuple([pop()])));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        push(built(new PyTuple([a, b])));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(built(new PyTuple([a, b, c])));
        break;
      } // TUPLE3
      case 0x5d:
        push(built([]));
        break; // EMPTY_LIST
      case 0x6c:
        push(built(popMark()));
        break; // LIST
      case 0x61: {
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to a non-list');
        (list as PyValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS (a loop: spreading a huge batch into push() would overflow the call stack)
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to a non-list');
        for (const item of items) (list as PyValue[]).push(item);
        break;
      }
      case 0x7d:
        push(built(new PyDict()));
        break; // EMPTY_DICT
      case 0x64: {
        const items = popMark();
        const dict = built(new PyDict());
        setItems(dict, items);
        push(dict);
        break;
      } // DICT
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x63: {
        const module = line();
        const name = line();
        push(resolveGlobal(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyCallable))
          fail(`REDUCE on ${describe(callable)}, which is not an allowlisted callable`);
        if (!(args instanceof PyTuple)) fail('REDUCE arguments must be a tuple');
        push(built((callable as PyCallable).call((args as PyTuple).items, opStart)));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target instanceof PyDict) target.attributes = state;
        else fail(`BUILD on ${describe(target)} is not supported`);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent ids are not supported here');
        push(built(options.persistentLoad!(pid, opStart)));
        break;
      }
      case 0x71:
        remember(u8());
        break; // BINPUT
      case 0x72:
        remember(u32());
        break; // LONG_BINPUT
      case 0x94:
        remember(memo.size);
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) fail(`memo ${index} was never stored`);
        push(memo.get(index)!);
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} is outside the state_dict subset this reader supports`);
    }
  }
}

export function describe(value: PyValue | undefined): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PyTuple) return 'a tuple';
  if (value instanceof PyDict) return 'a dict';
  if (value instanceof PyCallable) return `${value.module}.${value.name}`;
  if (value instanceof PyOpaque) return `a ${value.kind}`;
  if (value instanceof Uint8Array) return 'bytes';
  return `a ${typeof value}`;
}
