/**
 * A restricted pickle reader: enough of the protocol (2 to 5) for what `torch.save(state_dict)`
 * writes, and nothing that executes code. Globals are resolved through a caller-supplied
 * allowlist; any other GLOBAL / STACK_GLOBAL is refused with an error naming it. REDUCE and BUILD
 * only ever call the allowlisted constructors.
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
  constructor(readonly kind: string, readonly value: T) {}
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
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
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
  const u8 = () => { need(1); return bytes[pos++]!; };
  const u16 = () => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const i32 = () => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u32 = () => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the stream`);
    return Number(v);
  };
  const take = (n: number) => { need(n); const out = bytes.subarray(pos, pos + n); pos += n; return out; };
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
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) fail('stack underflow');
    if (v === MARK) fail('unexpected MARK on the stack');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK on the stack');
    const items = stack.splice(at) as StackItem[];
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
  const signedLittleEndian = (data: Uint8Array): bigint => {
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
      case 0x80: u8(); break; // PROTO
      case 0x95: need(8); pos += 8; break; // FRAME: framing only
      case 0x2e: { // STOP
        const result = pop();
        if (stack.length) fail(`${stack.length} items left on the stack at STOP`);
        return result;
      }
      case 0x28: stack.push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(number(signedLittleEndian(take(u8())))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('negative LONG4 length');
        stack.push(number(signedLittleEndian(take(n))));
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64())); break; // BINUNICODE8
      case 0x54: { const n = i32(); if (n < 0) fail('negative BINSTRING length'); stack.push(latin1.decode(take(n))); break; }
      case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x29: stack.push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: stack.push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const list = top(); if (!Array.isArray(list)) fail('APPEND to a non-list'); (list as PyValue[]).push(v); break; }
      case 0x65: { const items = popMark(); const list = top(); if (!Array.isArray(list)) fail('APPENDS to a non-list'); (list as PyValue[]).push(...items); break; }
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const dict = new PyDict(); setItems(dict, items); stack.push(dict); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x63: { const module = line(); const name = line(); stack.push(resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyCallable)) fail(`REDUCE on ${describe(callable)}, which is not an allowlisted callable`);
        if (!(args instanceof PyTuple)) fail('REDUCE arguments must be a tuple');
        stack.push((callable as PyCallable).call((args as PyTuple).items, opStart));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        if (target instanceof PyDict) target.attributes = state;
        else fail(`BUILD on ${describe(target)} is not supported`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent ids are not supported here');
        stack.push(options.persistentLoad!(pid, opStart));
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) fail(`memo ${index} was never stored`);
        stack.push(memo.get(index)!);
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
