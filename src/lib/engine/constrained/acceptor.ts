/**
 * An incremental acceptor for JSON text matching a compiled schema, one UTF-8 byte at a time.
 *
 * The state is a persistent (immutable) stack of frames, so testing a candidate token never
 * disturbs the current state: `step(state, byte)` returns a new state or null (rejected).
 * Whitespace between tokens is allowed but bounded (MAX_WS in a row), numbers have bounded
 * digits and free-form values bounded nesting, so every generation can be closed.
 * `minRemaining(state)` is the length in bytes of the shortest text that completes the value
 * (used to force closing before max_tokens runs out).
 */
import { FREE_KEY_MAX_CHARS, freeKeyCost, keyCost, type ObjectProp, type SchemaNode } from './schema';

const MAX_WS = 2;
const MAX_INT_DIGITS = 12;
const MAX_FRAC_DIGITS = 6;
const MAX_EXP_DIGITS = 2;

type ObjNode = Extract<SchemaNode, { kind: 'object' }>;
type ArrNode = Extract<SchemaNode, { kind: 'array' }>;
type StrNode = Extract<SchemaNode, { kind: 'string' }>;
type NumNode = Extract<SchemaNode, { kind: 'number' }>;
type LitNode = Extract<SchemaNode, { kind: 'literal' }>;

const FREE_KEY: StrNode = { kind: 'string', id: -1, min: 0, max: FREE_KEY_MAX_CHARS, minLen: 2 };

/** A piece of the overall output: fixed text (e.g. `<tool_call>`) or a JSON value. */
export type SeqPart = { bytes: Uint8Array } | { node: SchemaNode };

type Frame =
  | { t: 'seq'; parts: SeqPart[]; i: number }
  | { t: 'done' }
  | { t: 'value'; node: SchemaNode; ws: number }
  // phase: start | inKey (a key frame is above) | afterKey (':' next) | inValue | afterValue | afterComma
  | { t: 'obj'; node: ObjNode; phase: ObjPhase; used: number; key: number; ws: number }
  | { t: 'key'; node: ObjNode; used: number; pos: number; cands: number[] }
  | { t: 'arr'; node: ArrNode; phase: 'start' | 'inValue' | 'afterValue' | 'afterComma'; count: number; ws: number }
  // utf8: continuation bytes still expected; the next one must lie in [lo, hi] (rejects overlong
  // forms and surrogates, so the bytes always decode to exactly `len` code points)
  | { t: 'str'; node: StrNode; len: number; esc: 0 | 1; hex: number; utf8: number; lo: number; hi: number }
  // value: magnitude of the integer digits so far (for bounded integers)
  | { t: 'num'; node: NumNode; phase: NumPhase; digits: number; neg: boolean; value: number }
  | { t: 'lit'; node: LitNode | null; values: Uint8Array[]; pos: number; cands: number[] };

type ObjPhase = 'start' | 'inKey' | 'afterKey' | 'inValue' | 'afterValue' | 'afterComma';
type NumPhase = 'minus' | 'zero' | 'int' | 'dot' | 'frac' | 'e' | 'esign' | 'exp';

/** Immutable linked stack; `up` is the frame below. */
export interface State {
  readonly f: Frame;
  readonly up: State | null;
}

const push = (up: State | null, f: Frame): State => ({ f, up });
const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const Q = 0x22; // "
const BS = 0x5c; // backslash

/** The initial state for a sequence of fixed texts and JSON values. */
export function initialState(parts: SeqPart[]): State {
  return enterPart(push(null, { t: 'seq', parts, i: 0 }));
}

/** Pushes the frame for the current part of the sequence frame on top of `s` (or DONE). */
function enterPart(s: State): State {
  const f = s.f as Extract<Frame, { t: 'seq' }>;
  if (f.i >= f.parts.length) return push(null, { t: 'done' });
  const part = f.parts[f.i];
  if ('bytes' in part) return push(s, { t: 'lit', node: null, values: [part.bytes], pos: 0, cands: [0] });
  return push(s, { t: 'value', node: part.node, ws: 0 });
}

/** Called when the value on top of `up` has just ended: the parent moves on. */
function complete(up: State | null): State | null {
  if (!up) return push(null, { t: 'done' });
  const f = up.f;
  switch (f.t) {
    case 'seq':
      return enterPart(push(up.up, { ...f, i: f.i + 1 }));
    case 'obj':
      if (f.phase === 'inKey') return push(up.up, { ...f, phase: 'afterKey', ws: 0 }); // free-form key ended
      return push(up.up, { ...f, phase: 'afterValue', ws: 0 });
    case 'arr':
      return push(up.up, { ...f, phase: 'afterValue', count: f.count + 1, ws: 0 });
    default:
      return null;
  }
}

/** First bytes a node's values can start with (for choosing among union options). */
function startsWith(node: SchemaNode, b: number): boolean {
  switch (node.kind) {
    case 'object':
      return b === 0x7b;
    case 'array':
      return b === 0x5b;
    case 'string':
      return b === Q;
    case 'number':
      return b === 0x2d || isDigit(b);
    case 'literal':
      return node.values.some((v) => v[0] === b);
    case 'union':
      return node.options.some((o) => startsWith(o, b));
  }
}

/** Starts a value of `node` with byte `b` on top of `up`. */
function startValue(node: SchemaNode, up: State | null, b: number): State | null {
  switch (node.kind) {
    case 'union': {
      const opt = node.options.find((o) => startsWith(o, b));
      return opt ? startValue(opt, up, b) : null;
    }
    case 'object':
      return b === 0x7b ? push(up, { t: 'obj', node, phase: 'start', used: 0, key: -1, ws: 0 }) : null;
    case 'array':
      return b === 0x5b ? push(up, { t: 'arr', node, phase: 'start', count: 0, ws: 0 }) : null;
    case 'string':
      return b === Q ? push(up, { t: 'str', node, len: 0, esc: 0, hex: 0, utf8: 0, lo: 0x80, hi: 0xbf }) : null;
    case 'number': {
      const start: Extract<Frame, { t: 'num' }> = { t: 'num', node, phase: 'minus', digits: 0, neg: true, value: 0 };
      if (b === 0x2d) return bounded(node) && !(node.min! < 0) ? null : push(up, start);
      const n = numStep({ ...start, neg: false }, b);
      return n ? push(up, n) : null;
    }
    case 'literal': {
      const cands = node.values.map((_, i) => i).filter((i) => node.values[i][0] === b);
      return cands.length ? push(up, { t: 'lit', node, values: node.values, pos: 1, cands }) : null;
    }
  }
}

const requiredMask = (node: ObjNode) => node.props.reduce((m, p, i) => (p.required ? m | (1 << i) : m), 0);
const allRequired = (node: ObjNode, used: number) => (requiredMask(node) & ~used) === 0;
const hasUnused = (node: ObjNode, used: number) => node.free !== null || node.props.some((_, i) => !(used & (1 << i)));

/** Begins a key after `{` or `,`. */
function startKey(s: State, f: Extract<Frame, { t: 'obj' }>): State | null {
  const base = push(s.up, { ...f, phase: 'inKey', ws: 0 });
  if (f.node.free) return push(base, { t: 'str', node: FREE_KEY, len: 0, esc: 0, hex: 0, utf8: 0, lo: 0x80, hi: 0xbf });
  const cands = f.node.props.map((_, i) => i).filter((i) => !(f.used & (1 << i)));
  return cands.length ? push(base, { t: 'key', node: f.node, used: f.used, pos: 0, cands }) : null;
}

const bounded = (node: NumNode) => node.min !== undefined || node.max !== undefined;

/** Could an integer with sign `neg` starting with digits of magnitude `p` (k digits) still end in [min, max]? */
function feasible(node: NumNode, neg: boolean, p: number, k: number): boolean {
  const min = node.min ?? -Infinity;
  const max = node.max ?? Infinity;
  for (let j = 0; k + j <= MAX_INT_DIGITS; j++) {
    if (p === 0 && j > 0) break; // a leading 0 cannot be followed by digits
    const scale = 10 ** j;
    const lo = p * scale;
    const hi = p * scale + scale - 1;
    const [a, b] = neg ? [-hi, -lo] : [lo, hi];
    if (b >= min && a <= max) return true;
  }
  return false;
}

/** Digits still needed at least before a bounded integer prefix can end in range. */
function digitsNeeded(node: NumNode, neg: boolean, p: number, k: number): number {
  const min = node.min ?? -Infinity;
  const max = node.max ?? Infinity;
  for (let j = k === 0 ? 1 : 0; k + j <= MAX_INT_DIGITS; j++) {
    if (k > 0 && p === 0 && j > 0) break;
    const scale = 10 ** j;
    const lo = p * scale;
    const hi = p * scale + scale - 1;
    // Shortest: some value with exactly j more digits is in range.
    const [a, b] = neg ? [-hi, -lo] : [lo, hi];
    if (b >= min && a <= max) return j;
  }
  return 1;
}

/** Number grammar: the next phase after byte `b`, or null. */
function numStep(f: Extract<Frame, { t: 'num' }>, b: number): Extract<Frame, { t: 'num' }> | null {
  const int = f.node.integer;
  if (bounded(f.node)) {
    // Bounded integers: digits only, each checked for a reachable in-range ending.
    if (!isDigit(b) || f.phase === 'zero' || f.digits >= MAX_INT_DIGITS) return null;
    const value = f.value * 10 + (b - 0x30);
    if (!feasible(f.node, f.neg, value, f.digits + 1)) return null;
    return { ...f, phase: value === 0 ? 'zero' : 'int', digits: f.digits + 1, value };
  }
  const to = (phase: NumPhase, digits: number) => ({ ...f, phase, digits });
  switch (f.phase) {
    case 'minus':
      return b === 0x30 ? to('zero', 1) : isDigit(b) ? to('int', 1) : null;
    case 'zero':
      return !int && b === 0x2e ? to('dot', 0) : !int && (b === 0x65 || b === 0x45) ? to('e', 0) : null;
    case 'int':
      if (isDigit(b)) return f.digits < MAX_INT_DIGITS ? to('int', f.digits + 1) : null;
      return !int && b === 0x2e ? to('dot', 0) : !int && (b === 0x65 || b === 0x45) ? to('e', 0) : null;
    case 'dot':
      return isDigit(b) ? to('frac', 1) : null;
    case 'frac':
      if (isDigit(b)) return f.digits < MAX_FRAC_DIGITS ? to('frac', f.digits + 1) : null;
      return b === 0x65 || b === 0x45 ? to('e', 0) : null;
    case 'e':
      return b === 0x2b || b === 0x2d ? to('esign', 0) : isDigit(b) ? to('exp', 1) : null;
    case 'esign':
      return isDigit(b) ? to('exp', 1) : null;
    case 'exp':
      return isDigit(b) && f.digits < MAX_EXP_DIGITS ? to('exp', f.digits + 1) : null;
  }
}
const numFinalPhase = (p: NumPhase) => p === 'zero' || p === 'int' || p === 'frac' || p === 'exp';
/** True when the number written so far is complete and valid (in range, if bounded). */
function numFinal(f: Extract<Frame, { t: 'num' }>): boolean {
  if (!numFinalPhase(f.phase)) return false;
  if (!bounded(f.node)) return true;
  const v = f.neg ? -f.value : f.value;
  return v >= (f.node.min ?? -Infinity) && v <= (f.node.max ?? Infinity);
}

/** Feeds one byte; returns the new state or null if no valid output continues this way. */
export function step(s: State, b: number): State | null {
  const f = s.f;
  switch (f.t) {
    case 'done':
    case 'seq':
      return null;
    case 'value':
      if (isWs(b)) return f.ws < MAX_WS ? push(s.up, { ...f, ws: f.ws + 1 }) : null;
      return startValue(f.node, s.up, b);
    case 'lit': {
      const cands = f.cands.filter((i) => f.values[i].length > f.pos && f.values[i][f.pos] === b);
      if (cands.length) return push(s.up, { ...f, pos: f.pos + 1, cands });
      if (f.cands.some((i) => f.values[i].length === f.pos)) {
        const c = complete(s.up);
        return c && step(c, b);
      }
      return null;
    }
    case 'num': {
      const n = numStep(f, b);
      if (n) return push(s.up, n);
      if (numFinal(f)) {
        const c = complete(s.up);
        return c && step(c, b);
      }
      return null;
    }
    case 'str':
      return strStep(s, f, b);
    case 'key': {
      const props = f.node.props;
      if (b === Q) {
        const k = f.cands.find((i) => props[i].keyBytes.length === f.pos);
        if (k === undefined || !s.up) return null;
        const o = s.up.f as Extract<Frame, { t: 'obj' }>;
        return push(s.up.up, { ...o, phase: 'afterKey', key: k, used: o.used | (1 << k), ws: 0 });
      }
      const cands = f.cands.filter((i) => props[i].keyBytes.length > f.pos && props[i].keyBytes[f.pos] === b);
      return cands.length ? push(s.up, { ...f, pos: f.pos + 1, cands }) : null;
    }
    case 'obj': {
      const ws = () => (f.ws < MAX_WS ? push(s.up, { ...f, ws: f.ws + 1 }) : null);
      switch (f.phase) {
        case 'start':
          if (isWs(b)) return ws();
          if (b === Q) return startKey(s, f);
          if (b === 0x7d && allRequired(f.node, f.used)) return complete(s.up);
          return null;
        case 'afterComma':
          if (isWs(b)) return ws();
          return b === Q ? startKey(s, f) : null;
        case 'afterKey':
          if (isWs(b)) return ws();
          if (b !== 0x3a) return null;
          {
            const node = f.key >= 0 ? f.node.props[f.key].node : f.node.free!;
            return push(push(s.up, { ...f, phase: 'inValue', ws: 0 }), { t: 'value', node, ws: 0 });
          }
        case 'afterValue':
          if (isWs(b)) return ws();
          if (b === 0x2c && hasUnused(f.node, f.used)) return push(s.up, { ...f, phase: 'afterComma', ws: 0 });
          if (b === 0x7d && allRequired(f.node, f.used)) return complete(s.up);
          return null;
        default:
          return null;
      }
    }
    case 'arr': {
      const ws = () => (f.ws < MAX_WS ? push(s.up, { ...f, ws: f.ws + 1 }) : null);
      const items = f.node.items;
      switch (f.phase) {
        case 'start':
          if (isWs(b)) return ws();
          if (b === 0x5d && f.node.min === 0) return complete(s.up);
          return f.node.max > 0 ? startValue(items, push(s.up, { ...f, phase: 'inValue', ws: 0 }), b) : null;
        case 'afterComma':
          if (isWs(b)) return ws();
          return startValue(items, push(s.up, { ...f, phase: 'inValue', ws: 0 }), b);
        case 'afterValue':
          if (isWs(b)) return ws();
          if (b === 0x2c && f.count < f.node.max) return push(s.up, { ...f, phase: 'afterComma', ws: 0 });
          if (b === 0x5d && f.count >= f.node.min) return complete(s.up);
          return null;
        default:
          return null;
      }
    }
  }
}

function strStep(s: State, f: Extract<Frame, { t: 'str' }>, b: number): State | null {
  if (f.utf8 > 0) return b >= f.lo && b <= f.hi ? push(s.up, { ...f, utf8: f.utf8 - 1, lo: 0x80, hi: 0xbf }) : null;
  if (f.hex > 0) {
    const hex = isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
    return hex ? push(s.up, { ...f, hex: f.hex - 1 }) : null;
  }
  if (f.esc === 1) {
    if (b === 0x75) return push(s.up, { ...f, esc: 0, hex: 4 });
    // " \ / b f n r t
    if (b === Q || b === BS || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) {
      return push(s.up, { ...f, esc: 0 });
    }
    return null;
  }
  if (b === Q) return f.len >= f.node.min ? complete(s.up) : null;
  if (b < 0x20 || f.len >= f.node.max) return null;
  if (b === BS) return push(s.up, { ...f, esc: 1, len: f.len + 1 });
  if (b < 0x80) return push(s.up, { ...f, len: f.len + 1 });
  // UTF-8 lead bytes (continuations are checked above).
  const cont = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
  if (!cont) return null;
  // Second-byte ranges of well-formed UTF-8 (Unicode Table 3-7).
  const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  return push(s.up, { ...f, len: f.len + 1, utf8: cont, lo, hi });
}

/** Feeds several bytes; null if any is rejected. */
export function stepBytes(s: State, bytes: Uint8Array): State | null {
  let cur: State | null = s;
  for (let i = 0; i < bytes.length && cur; i++) cur = step(cur, bytes[i]);
  return cur;
}

/** True when the output may end here (the whole sequence is complete). */
export function canEnd(s: State): boolean {
  let cur: State | null = s;
  // Values that end only when something else follows (numbers, literals) may end at EOS too.
  for (let guard = 0; cur && guard < 64; guard++) {
    const f: Frame = cur.f;
    if (f.t === 'done') return true;
    if (f.t === 'num' && numFinal(f)) cur = complete(cur.up);
    else if (f.t === 'lit' && f.cands.some((i) => f.values[i].length === f.pos)) cur = complete(cur.up);
    else return false;
  }
  return false;
}

/** True when nothing may follow: only ending is possible. */
export function mustEnd(s: State): boolean {
  if (s.f.t === 'done') return true;
  if (!canEnd(s)) return false;
  for (let b = 0; b < 256; b++) if (step(s, b)) return false;
  return true;
}

const restAfterValue = (node: ObjNode, used: number) =>
  node.props.reduce((a, p, i) => (p.required && !(used & (1 << i)) ? a + 1 + keyCost(p) : a), 0) + 1;

/** Cheapest member that could still be added (for `afterComma` with nothing required left). */
function cheapestMember(node: ObjNode, used: number): number {
  let best = node.free ? freeKeyCost(node.free) : Infinity;
  node.props.forEach((p, i) => {
    if (!(used & (1 << i))) best = Math.min(best, keyCost(p));
  });
  return best;
}

function requiredCost(node: ObjNode, used: number): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  node.props.forEach((p: ObjectProp, i) => {
    if (p.required && !(used & (1 << i))) {
      sum += keyCost(p);
      n++;
    }
  });
  return { sum, n };
}

/** Bytes needed by one frame to finish (children above it are counted by their own frames). */
function frameRemaining(f: Frame): number {
  switch (f.t) {
    case 'done':
      return 0;
    case 'seq': {
      let n = 0;
      for (let i = f.i + 1; i < f.parts.length; i++) {
        const p = f.parts[i];
        n += 'bytes' in p ? p.bytes.length : p.node.minLen;
      }
      return n;
    }
    case 'value':
      return f.node.minLen;
    case 'lit': {
      let best = Infinity;
      for (const i of f.cands) best = Math.min(best, f.values[i].length - f.pos);
      return best;
    }
    case 'num':
      if (bounded(f.node)) return numFinal(f) ? 0 : digitsNeeded(f.node, f.neg, f.value, f.digits);
      return f.phase === 'minus' || f.phase === 'dot' || f.phase === 'e' || f.phase === 'esign' ? 1 : 0;
    case 'str':
      return f.utf8 + f.hex + f.esc + Math.max(0, f.node.min - f.len) + 1;
    case 'key': {
      // Finish the key, then ':' its value and everything the object still requires after it.
      let best = Infinity;
      const o = f.node;
      for (const i of f.cands) {
        const p = o.props[i];
        best = Math.min(best, p.keyBytes.length - f.pos + 2 + p.node.minLen + restAfterValue(o, f.used | (1 << i)));
      }
      return best; // the object frame below (phase inKey) adds nothing
    }
    case 'obj': {
      const node = f.node;
      switch (f.phase) {
        case 'start':
        case 'afterComma': {
          const { sum, n } = requiredCost(node, f.used);
          if (n === 0) return f.phase === 'start' ? 1 : cheapestMember(node, f.used) + 1;
          return sum + (n - 1) + 1;
        }
        case 'inKey':
          // A declared key frame counts its own value; a free-form key needs ':' and a value.
          return node.free ? 1 + node.free.minLen + 1 : 0;
        case 'afterKey': {
          const v = f.key >= 0 ? node.props[f.key].node : node.free!;
          return 1 + v.minLen + restAfterValue(node, f.used);
        }
        case 'inValue':
        case 'afterValue':
          return restAfterValue(node, f.used);
      }
      return 0;
    }
    case 'arr': {
      const per = f.node.items.minLen;
      switch (f.phase) {
        case 'start':
          return f.node.min === 0 ? 1 : f.node.min * per + (f.node.min - 1) + 1;
        case 'inValue': {
          const more = Math.max(0, f.node.min - (f.count + 1));
          return more * (1 + per) + 1;
        }
        case 'afterValue':
          return Math.max(0, f.node.min - f.count) * (1 + per) + 1;
        case 'afterComma': {
          const m = Math.max(1, f.node.min - f.count);
          return m * per + (m - 1) + 1;
        }
      }
    }
  }
}

/** Length in bytes of the shortest text that completes the output from `s`. */
export function minRemaining(s: State): number {
  let n = 0;
  for (let cur: State | null = s; cur; cur = cur.up) n += frameRemaining(cur.f);
  return n;
}

/**
 * A canonical string for a state (equal keys = equal futures as far as `horizon` bytes ahead),
 * used to cache token masks. Counters that only matter near a bound (string length vs maxLength,
 * item count vs maxItems) are folded when the bound is further than `horizon` bytes away, so a
 * long string repeats the same key and hits the cache. Pass the longest token's byte length.
 */
export function stateKey(s: State, horizon = Infinity): string {
  const parts: string[] = [];
  for (let cur: State | null = s; cur; cur = cur.up) parts.push(frameKey(cur.f, horizon));
  return parts.join('|');
}

/** `n` relative to [min, max]: exact below min or within `horizon` of max, else folded. */
function countKey(n: number, min: number, max: number, horizon: number): string {
  if (n < min) return `<${n}`;
  return max - n > horizon ? 'F' : `r${max - n}`;
}

function frameKey(f: Frame, horizon: number): string {
  switch (f.t) {
    case 'done':
      return 'D';
    case 'seq':
      return `q${f.i}`;
    case 'value':
      return `v${f.node.id},${f.ws}`;
    case 'obj':
      return `o${f.node.id},${f.phase},${f.used},${f.key},${f.ws}`;
    case 'key':
      return `k${f.node.id},${f.pos},${f.cands.join('.')}`;
    case 'arr':
      return `a${f.node.id},${f.phase},${countKey(f.count, f.node.min, f.node.max, horizon)},${f.ws}`;
    case 'str':
      return `s${f.node.id},${countKey(f.len, f.node.min, f.node.max, horizon)},${f.esc},${f.hex},${f.utf8},${f.lo},${f.hi}`;
    case 'num':
      return bounded(f.node) ? `n${f.node.id},${f.neg ? '-' : ''}${f.value},${f.digits}` : `n${f.node.id},${f.phase},${f.digits}`;
    case 'lit':
      return `l${f.node?.id ?? 'x' + f.values[0].length},${f.pos},${f.cands.join('.')}`;
  }
}
