/**
 * A minimal WebAssembly binary encoder: just enough to emit small SIMD (f32x4) kernels from
 * TypeScript at runtime (no wat2wasm at build time, no .wasm asset; the page CSP allows
 * 'wasm-unsafe-eval'). Used by the RAG flat index's scorer and TinyLM's decode and training
 * kernels. Every helper returns the bytes of one instruction or construct.
 */

export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 constants). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

// ---- instructions ----
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const tee = (i: number): number[] => [0x22, ...uleb(i)];
export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
export const I32_EQZ = 0x45, I32_LT_U = 0x49, I32_GE_U = 0x4f, I32_ADD = 0x6a, I32_SUB = 0x6b;
export const block = (body: number[]): number[] => [0x02, 0x40, ...body, 0x0b];
export const loop = (body: number[]): number[] => [0x03, 0x40, ...body, 0x0b];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
export const END = 0x0b;

/** A SIMD instruction: the 0xfd prefix, the opcode (LEB128) and its immediates. */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** v128.load at address + offset (alignment hint 16 bytes). */
export const v128Load = (offset = 0): number[] => simd(0x00, 4, ...uleb(offset));
/** v128.store at address + offset (alignment hint 16 bytes). */
export const v128Store = (offset = 0): number[] => simd(0x0b, 4, ...uleb(offset));
export const v128Zero = (): number[] => simd(0x0c, ...new Array(16).fill(0));
/** i8x16.shuffle expressed in 32-bit lanes: lanes 0–3 pick from the first operand, 4–7 from the second. */
export const shuffle32 = (...lanes: [number, number, number, number]): number[] =>
  simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
export const F32X4_ADD = simd(0xe4), F32X4_MUL = simd(0xe6);

// ---- f64x2 (float64 lanes) and f32 <-> f64 conversions, for the exact training kernel ----
// Opcodes from the SIMD binary encoding (WebAssembly/spec proposals/simd/BinarySIMD.md) and the
// core spec's scalar table; memarg alignment hints are the natural alignment (log2 bytes).
export const F64 = 0x7c;
/** v128.load of two f64 (alignment hint 8 bytes: rows of f64 need not be 16-byte aligned). */
export const v128LoadF64 = (offset = 0): number[] => simd(0x00, 3, ...uleb(offset));
/** v128.load64_splat: one 64-bit value into both lanes. */
export const v128Load64Splat = (offset = 0): number[] => simd(0x0a, 3, ...uleb(offset));
/** v128.load64_zero: 64 bits into lane 0, lane 1 zero (e.g. two f32 for promote_low). */
export const v128Load64Zero = (offset = 0): number[] => simd(0x5d, 3, ...uleb(offset));
/** v128.store64_lane: stores 64-bit lane `lane` (e.g. the two f32 a demote leaves in the low half). */
export const v128Store64Lane = (offset: number, lane: 0 | 1): number[] => simd(0x5b, 3, ...uleb(offset), lane);
export const F64X2_SPLAT = simd(0x14);
export const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);
/** f64x2.promote_low_f32x4: lanes 0, 1 of an f32x4 to f64 (exact). */
export const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
/** f32x4.demote_f64x2_zero: both f64 lanes rounded to f32 (nearest-even) into lanes 0, 1; lanes 2, 3 zero. */
export const F32X4_DEMOTE_F64X2_ZERO = simd(0x5e);
/** Scalar f32.load / f64.load at address + offset, and f64.promote_f32. */
export const f32Load = (offset = 0): number[] => [0x2a, 2, ...uleb(offset)];
export const f64Load = (offset = 0): number[] => [0x2b, 3, ...uleb(offset)];
export const F64_PROMOTE_F32 = 0xbb;

/** A function body: locals given as [count, type] runs, then code (END appended). */
export function funcBody(locals: Array<[number, number]>, code: number[]): number[] {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, END];
  return [...uleb(body.length), ...body];
}

/**
 * A module with one exported memory ("memory", min 1 page) and functions that take only i32
 * parameters and return nothing, exported under their names.
 */
export function moduleBytes(funcs: Array<{ name: string; params: number; body: number[] }>): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(funcs.map((f) => [0x60, ...vec(new Array(f.params).fill([I32])), 0x00]))), // type i: (i32×params) → ()
    ...section(3, vec(funcs.map((_, i) => uleb(i)))), // function i has type i
    ...section(5, vec([[0x00, 0x01]])), // one memory, min 1 page, no max
    ...section(7, vec([[...str('memory'), 0x02, 0x00], ...funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(funcs.map((f) => f.body))),
  ]);
}

/** The part of the WebAssembly namespace a kernel needs to compile (tests pass one without SIMD). */
export type WasmCompiler = Pick<typeof WebAssembly, 'validate' | 'Module'>;

/**
 * A compiler of one kernel module: compiles `bytes()` once per WebAssembly namespace and returns
 * the module, or null where WebAssembly is missing or rejects the module (no SIMD support).
 */
export function compileOnce(bytes: () => Uint8Array<ArrayBuffer>): (wasm?: WasmCompiler) => WebAssembly.Module | null {
  const compiled = new WeakMap<object, WebAssembly.Module | null>();
  return (wasm = globalThis.WebAssembly) => {
    if (!wasm) return null;
    if (!compiled.has(wasm)) {
      let mod: WebAssembly.Module | null = null;
      try {
        const b = bytes();
        if (wasm.validate(b)) mod = new wasm.Module(b);
      } catch {
        mod = null;
      }
      compiled.set(wasm, mod);
    }
    return compiled.get(wasm)!;
  };
}
