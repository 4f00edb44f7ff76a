/**
 * WebAssembly SIMD (f64x2) matmul for TRAINING that gives exactly the bits of the JS kernels in
 * `kernels.ts` (so a model trained from a seed is the same model with either kernel).
 *
 * Why it can be exact: the JS kernels sum every output c[i, j] in float64, sequentially over k
 * from 0 (each product of two f32 is exact in f64), then round once to f32 (`c = s`, or
 * `c = c + s` computed in f64 when accumulating). This kernel vectorises ACROSS OUTPUT COLUMNS j
 * (two f64 lanes = two columns), never across k, so every lane performs the very same sequence of
 * IEEE f64 multiplies and adds as the JS loop: no FMA (wasm SIMD has none), no reassociation.
 *
 * Layout in the kernel's wasm memory (one instance per JS realm, grown on demand):
 *   A  the left operand promoted to f64 and packed in panels of R rows: panel p holds, for each
 *      k, a[pR, k] … a[pR+R−1, k] contiguously (then the M mod R leftover rows, one row each);
 *   B  the right operand promoted to f64 in panels of four output columns: panel q holds, for
 *      each k, b(k, 4q) … b(k, 4q+3) contiguously (so the inner loop reads memory sequentially);
 *   C  the f32 output [M, N] (copied in first when accumulating).
 * The inner loop keeps R × 2·CV f64 accumulators (R rows × 4 columns) in registers, reads CV
 * vectors of B row k and splats one f64 per row of A (loaded once, used CV times).
 *
 * Only the first N4 = N − N mod 4 columns are computed here: the JS kernel sums the last N mod 4
 * columns with `dot()` (four partial sums, another order), so `kernels.ts` computes those itself.
 */
import {
  F32X4_DEMOTE_F64X2_ZERO, F64X2_ADD, F64X2_MUL, F64X2_PROMOTE_LOW_F32X4, I32, I32_ADD, I32_EQZ, I32_SUB, V128,
  block, br, brIf, funcBody, get, i32c, loop, moduleBytes, set, tee, v128Load64Splat, v128Load64Zero, v128LoadF64,
  v128Store64Lane, v128Zero, compileOnce, type WasmCompiler,
} from '../wasm/emit';

/** Rows of A per panel (register block). */
export const TRAIN_PANEL_ROWS = 4;
/** f64x2 vectors per row in the register block: 2 → four output columns. */
const CV = 2;
const COLS = 2 * CV;

// params of every kernel function
const A = 0, B = 1, C = 2, RB = 3, NC = 4, K = 5, CS = 6;
const NPARAMS = 7;
// i32 locals
const PA = 7, PB = 8, PC = 9, PBK = 10, KK = 11, NCI = 12, PCR = 13, CSR = 14;
const NI32 = CSR - PA + 1;

/**
 * mm(a, b, c, rowBlocks, colBlocks, K, cStrideBytes): for each of `rowBlocks` panels of R rows
 * (A panels back to back), for each of `colBlocks` groups of four columns (B panels back to back),
 * c[r, j..j+3] (+)= Σ_k a[r, k] · b[k, j..j+3], summed in f64 over k = 0, 1, …, K−1 (K ≥ 1).
 */
function mmBody(R: number, acc: boolean): number[] {
  const ACC = PA + NI32; // v128 locals: R·CV accumulators, CV b vectors
  const BV = ACC + R * CV, AV = BV + CV;
  const accIdx = (r: number, v: number) => ACC + r * CV + v;
  const kStep: number[] = [
    ...Array.from({ length: CV }, (_, v) => [...get(PBK), ...v128LoadF64(16 * v), ...set(BV + v)]).flat(),
    ...Array.from({ length: R }, (_, r) => [
      ...get(PA), ...v128Load64Splat(8 * r), ...set(AV), // a[r, k] in both lanes, loaded once per row
      ...Array.from({ length: CV }, (_, v) => [
        ...get(accIdx(r, v)), ...get(AV), ...get(BV + v), ...F64X2_MUL, ...F64X2_ADD, ...set(accIdx(r, v)),
      ]).flat(),
    ]).flat(),
    ...get(PA), ...i32c(8 * R), I32_ADD, ...set(PA),
    ...get(PBK), ...i32c(8 * COLS), I32_ADD, ...set(PBK),
    ...get(KK), ...i32c(1), I32_SUB, ...tee(KK), ...brIf(0),
  ];
  const store: number[] = [
    ...get(PC), ...set(PCR),
    ...Array.from({ length: R }, (_, r) => [
      ...(r > 0 ? [...get(PCR), ...get(CS), I32_ADD, ...set(PCR)] : []),
      ...Array.from({ length: CV }, (_, v) => [
        ...get(PCR),
        ...(acc
          ? [...get(PCR), ...v128Load64Zero(8 * v), ...F64X2_PROMOTE_LOW_F32X4, ...get(accIdx(r, v)), ...F64X2_ADD]
          : get(accIdx(r, v))),
        ...F32X4_DEMOTE_F64X2_ZERO,
        ...v128Store64Lane(8 * v, 0),
      ]).flat(),
    ]).flat(),
  ];
  const column: number[] = [
    ...get(NCI), I32_EQZ, ...brIf(1),
    ...Array.from({ length: R * CV }, (_, i) => [...v128Zero(), ...set(ACC + i)]).flat(),
    ...get(A), ...set(PA), ...get(PB), ...set(PBK), ...get(K), ...set(KK),
    ...loop(kStep),
    ...store,
    ...get(PBK), ...set(PB), // the next B panel starts where this one ended
    ...get(PC), ...i32c(4 * COLS), I32_ADD, ...set(PC),
    ...get(NCI), ...i32c(1), I32_SUB, ...set(NCI),
    ...br(0),
  ];
  const row: number[] = [
    ...get(RB), I32_EQZ, ...brIf(1),
    ...get(B), ...set(PB), ...get(C), ...set(PC), ...get(NC), ...set(NCI),
    ...block(loop(column)),
    ...get(PA), ...set(A), // the next panel starts where this one's last column block ended
    ...get(C), ...get(CSR), I32_ADD, ...set(C),
    ...get(RB), ...i32c(1), I32_SUB, ...set(RB),
    ...br(0),
  ];
  // CSR = R · cStride (bytes from one panel's first output row to the next panel's)
  const prologue = [...Array.from({ length: R }, () => get(CS)).flat(), ...new Array(R - 1).fill(I32_ADD), ...set(CSR)];
  return funcBody([[NI32, I32], [R * CV + CV + 1, V128]], [...prologue, ...block(loop(row))]);
}

const FUNCS = [
  { name: 'mm', R: TRAIN_PANEL_ROWS, acc: false },
  { name: 'mmAcc', R: TRAIN_PANEL_ROWS, acc: true },
  { name: 'mm1', R: 1, acc: false },
  { name: 'mm1Acc', R: 1, acc: true },
] as const;

/** The training kernel module's bytes (deterministic). */
export function trainModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(FUNCS.map((f) => ({ name: f.name, params: NPARAMS, body: mmBody(f.R, f.acc) })));
}

/** The compiled module, or null where WebAssembly or its SIMD proposal is missing. */
export const trainModule = compileOnce(trainModuleBytes);

/** Which operand layout a product has (see `kernels.ts`). */
export type TrainProduct = 'AB' | 'ABt' | 'AtB';

type MmFn = (a: number, b: number, c: number, rb: number, nc: number, k: number, cs: number) => void;
const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

/**
 * The kernel instance with its own memory. Not re-entrant (one scratch region), which JavaScript's
 * single thread guarantees per realm; workers each create their own.
 */
export class TrainMatmul {
  private readonly memory: WebAssembly.Memory;
  private readonly fns: Record<(typeof FUNCS)[number]['name'], MmFn>;
  private f32: Float32Array;
  private f64: Float64Array;

  constructor(mod: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(mod, {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.fns = Object.fromEntries(FUNCS.map((f) => [f.name, inst.exports[f.name] as MmFn])) as TrainMatmul['fns'];
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }

  /** Bytes of wasm memory held. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
  }

  /**
   * Columns [0, N − N mod 4) of c[M, N] (+)= op(a) · op(b), with
   *   AB:  a [M, K], b [K, N];   ABt: a [M, K], b [N, K];   AtB: a [K, M], b [K, N].
   * Columns N − N mod 4 … N − 1 of c are left as they were (or undefined when not accumulating):
   * the caller computes them. Requires M ≥ 1, N ≥ 4, K ≥ 1.
   */
  matmul(kind: TrainProduct, a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc: boolean): void {
    const R = TRAIN_PANEL_ROWS;
    const N4 = N - (N % 4);
    const aOff = 0, bOff = align16(aOff + 8 * M * K), cOff = align16(bOff + 8 * K * N4);
    this.reserve(cOff + 4 * M * N); // = trainMatmulBytes(M, N, K)
    const f64 = this.f64, f32 = this.f32;

    // A, promoted to f64, in panels of R rows (k-major inside a panel), then the leftover rows.
    const full = M - (M % R);
    let d = aOff >> 3;
    if (kind === 'AtB') {
      // a [K, M]: a(i, k) = a[k·M + i]; a panel's R values for one k are contiguous.
      for (let i0 = 0; i0 < full; i0 += R)
        for (let s = i0; s < K * M; s += M, d += 4) {
          f64[d] = a[s]; f64[d + 1] = a[s + 1]; f64[d + 2] = a[s + 2]; f64[d + 3] = a[s + 3];
        }
      for (let i = full; i < M; i++) for (let s = i; s < K * M; s += M) f64[d++] = a[s];
    } else {
      // a [M, K]: four rows read side by side.
      for (let i0 = 0; i0 < full; i0 += R) {
        const s0 = i0 * K, s1 = s0 + K, s2 = s1 + K, s3 = s2 + K;
        for (let k = 0; k < K; k++, d += 4) {
          f64[d] = a[s0 + k]; f64[d + 1] = a[s1 + k]; f64[d + 2] = a[s2 + k]; f64[d + 3] = a[s3 + k];
        }
      }
      if (full < M) f64.set(a.subarray(full * K, M * K), d);
    }

    // B, promoted to f64, in panels of four columns (k-major inside a panel).
    d = bOff >> 3;
    if (kind === 'ABt') {
      // b [N, K]: b(k, j) = b[j·K + k]; four rows of b read side by side.
      for (let j0 = 0; j0 < N4; j0 += 4) {
        const s0 = j0 * K, s1 = s0 + K, s2 = s1 + K, s3 = s2 + K;
        for (let k = 0; k < K; k++, d += 4) {
          f64[d] = b[s0 + k]; f64[d + 1] = b[s1 + k]; f64[d + 2] = b[s2 + k]; f64[d + 3] = b[s3 + k];
        }
      }
    } else {
      // b [K, N]: a panel's four values for one k are contiguous.
      for (let j0 = 0; j0 < N4; j0 += 4)
        for (let s = j0; s < K * N; s += N, d += 4) {
          f64[d] = b[s]; f64[d + 1] = b[s + 1]; f64[d + 2] = b[s + 2]; f64[d + 3] = b[s + 3];
        }
    }

    const co = cOff >> 2;
    if (acc) f32.set(c.subarray(0, M * N), co);
    const nc = N4 / 4;
    const main = acc ? this.fns.mmAcc : this.fns.mm;
    const one = acc ? this.fns.mm1Acc : this.fns.mm1;
    if (full > 0) main(aOff, bOff, cOff, full / R, nc, K, 4 * N);
    if (full < M) one(aOff + 8 * full * K, bOff, cOff + 4 * full * N, M - full, nc, K, 4 * N);
    if (N4 === N) c.set(f32.subarray(co, co + M * N));
    else for (let i = 0; i < M; i++) c.set(f32.subarray(co + i * N, co + i * N + N4), i * N);
  }
}

/** Wasm memory a product needs (A and B as f64, C as f32), in bytes. */
export function trainMatmulBytes(M: number, N: number, K: number): number {
  return align16(8 * M * K) + align16(8 * K * (N - (N % 4))) + 4 * M * N;
}

/** Products needing more wasm memory than this stay in JS (32-bit addresses; memory is never returned). */
export const TRAIN_MATMUL_MAX_BYTES = 1 << 30;

let instance: TrainMatmul | null | undefined;

/**
 * This realm's kernel instance, created on first use; null where WebAssembly SIMD is missing.
 * `wasm` replaces the WebAssembly namespace (tests simulate an engine without SIMD); passing it
 * re-decides, as does `resetTrainMatmul()`.
 */
export function trainMatmul(wasm?: WasmCompiler): TrainMatmul | null {
  if (instance !== undefined && wasm === undefined) return instance;
  const mod = trainModule(wasm ?? globalThis.WebAssembly);
  instance = mod ? new TrainMatmul(mod) : null;
  return instance;
}

/** Forgets the instance (the next `trainMatmul()` decides again from the current WebAssembly). */
export function resetTrainMatmul(): void {
  instance = undefined;
}
