/**
 * WebAssembly SIMD (f32x4) kernel for TinyLM's linear layers: y[T,N] = x[T,K] · W[N,K]ᵀ.
 * With T = 1 it is the decode matrix–vector product; with T > 1 it serves prefill.
 *
 * Weights are copied once into the kernel's wasm memory, *packed in panels*: the rows are grouped
 * eight at a time (R = 8), and inside a panel the rows' four-float chunks are interleaved:
 *
 *   panel b, chunk c:  W[8b, 4c..4c+3] W[8b+1, 4c..4c+3] … W[8b+7, 4c..4c+3]   (8 × 16 bytes)
 *
 * so the inner loop reads one x chunk and the next 128 contiguous bytes of the panel, with eight
 * independent f32x4 accumulators (one per row) and constant load offsets. K is padded with zero
 * columns to a multiple of 4 and N with zero rows to a multiple of 8, so the kernel has no tail
 * loops. For T > 1 each panel (≤ 8·K floats, a few KiB) is reused from cache for every token.
 * Activations go through two scratch regions after the weights: x [T, Kp] and y [T, Np].
 *
 * Numerics: each row sums in f32 over four lanes (lane j adds columns j, j+4, …), then the lanes
 * are added pairwise; the JS kernels (`kernels.ts`) accumulate in float64 and stay the reference
 * and the fallback where WebAssembly SIMD is missing.
 */
import {
  F32X4_ADD, F32X4_MUL, I32, I32_ADD, I32_EQZ, I32_LT_U, I32_SUB, V128, block, br, brIf, funcBody, get, i32c, loop,
  moduleBytes, set, shuffle32, tee, v128Load, v128Store, v128Zero, compileOnce, type WasmCompiler,
} from '../wasm/emit';

/** Rows per panel (accumulators in the inner loop). */
export const PANEL_ROWS = 8;
const R = PANEL_ROWS;

// locals of `matmul`: params, then i32 scratch, then v128
const W = 0, X = 1, Y = 2, NB = 3, KB = 4, T = 5, YS = 6; // params
const XP = 7, XEND = 8, WP = 9, YP = 10, TI = 11;
const ACC = 12, XV = ACC + R;

/** acc[r] += load(WP + 16r) · XV for the R rows of the panel. */
const panelStep = (): number[] =>
  Array.from({ length: R }, (_, r) => [...get(ACC + r), ...get(WP), ...v128Load(16 * r), ...get(XV), ...F32X4_MUL, ...F32X4_ADD, ...set(ACC + r)]).flat();

/**
 * Stores [Σ acc[a], Σ acc[a+1], Σ acc[a+2], Σ acc[a+3]] at YP + offset with two shuffle rounds
 * (lane sums (l0 + l2) + (l1 + l3)); clobbers acc[a], acc[a+1].
 */
function reduce4(a: number, offset: number): number[] {
  const half = (p: number, q: number) => [
    ...get(p), ...get(q), ...shuffle32(0, 1, 4, 5),
    ...get(p), ...get(q), ...shuffle32(2, 3, 6, 7), ...F32X4_ADD,
  ];
  return [
    ...half(a, a + 1), ...set(a), // [a0+a2, a1+a3, b0+b2, b1+b3]
    ...half(a + 2, a + 3), ...set(a + 1),
    ...get(YP),
    ...get(a), ...get(a + 1), ...shuffle32(0, 2, 4, 6),
    ...get(a), ...get(a + 1), ...shuffle32(1, 3, 5, 7), ...F32X4_ADD,
    ...v128Store(offset),
  ];
}

/**
 * matmul(w, x, y, nBlocks, kBytes, T, yStrideBytes): for each panel, for each of the T rows of x,
 * y[t, 8b..8b+7] = panel_b · x[t]. x rows are kBytes apart; all addresses 16-byte aligned.
 */
function matmulBody(): number[] {
  const token = [
    ...Array.from({ length: R }, (_, r) => [...v128Zero(), ...set(ACC + r)]).flat(),
    ...get(W), ...set(WP),
    ...get(XP), ...get(KB), I32_ADD, ...set(XEND),
    ...loop([
      ...get(XP), ...v128Load(), ...set(XV),
      ...panelStep(),
      ...get(WP), ...i32c(16 * R), I32_ADD, ...set(WP),
      ...get(XP), ...i32c(16), I32_ADD, ...tee(XP), ...get(XEND), I32_LT_U, ...brIf(0),
    ]),
    ...Array.from({ length: R / 4 }, (_, g) => reduce4(ACC + 4 * g, 16 * g)).flat(),
    ...get(YP), ...get(YS), I32_ADD, ...set(YP),
    ...get(TI), ...i32c(1), I32_SUB, ...tee(TI), ...brIf(0),
  ];
  const panel = [
    ...get(NB), I32_EQZ, ...brIf(1),
    ...get(X), ...set(XP), ...get(Y), ...set(YP), ...get(T), ...set(TI),
    ...loop(token),
    ...get(WP), ...set(W), // the next panel starts where this one ended
    ...get(Y), ...i32c(4 * R), I32_ADD, ...set(Y),
    ...get(NB), ...i32c(1), I32_SUB, ...set(NB),
    ...br(0),
  ];
  return funcBody([[5, I32], [R + 1, V128]], block(loop(panel)));
}

/** The kernel module's bytes (deterministic). */
export function matmulModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([{ name: 'matmul', params: 7, body: matmulBody() }]);
}

/**
 * The compiled kernel module, or null where WebAssembly or its SIMD proposal is unavailable
 * (Node ≥ 16.4, Chromium ≥ 91, Firefox ≥ 89, Safari ≥ 16.4 have it). `wasm` is the WebAssembly
 * namespace to use, replaceable so tests can simulate an engine without SIMD.
 */
export const matmulModule = compileOnce(matmulModuleBytes);

/** Whether the SIMD kernel can run here. */
export function simdAvailable(wasm?: WasmCompiler): boolean {
  return matmulModule(wasm) !== null;
}

/** A row-major matrix [rows, cols] held in JS. */
export interface MatrixSource {
  data: Float32Array;
  rows: number;
  cols: number;
}

interface Packed {
  src: MatrixSource;
  ptr: number; // byte address of panel 0
  blocks: number; // ceil(rows / 8)
  kp: number; // cols rounded up to a multiple of 4
}

const PAGE = 65536;
const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * A fixed list of weight matrices packed into one wasm memory, and the kernel over them.
 * `upload()` (re)packs every matrix from its Float32Array; `matmul(i, …)` multiplies by matrix i.
 * Not re-entrant (one scratch region), which JavaScript's single thread guarantees per instance.
 */
export class SimdMatrices {
  private readonly packed: Packed[];
  private readonly memory: WebAssembly.Memory;
  private readonly fn: (w: number, x: number, y: number, nb: number, kb: number, t: number, ys: number) => void;
  private readonly scratchPtr: number; // x region, then y region
  private readonly maxKp: number;
  private readonly maxNp: number;
  private rowsCap = 0; // T the scratch regions currently hold
  private f32: Float32Array;

  /** Packs nothing yet (call `upload`); null where WebAssembly SIMD is unavailable. */
  static create(mats: MatrixSource[], wasm?: WasmCompiler): SimdMatrices | null {
    const mod = matmulModule(wasm);
    return mod ? new SimdMatrices(mod, mats) : null;
  }

  private constructor(mod: WebAssembly.Module, mats: MatrixSource[]) {
    let ptr = 0;
    this.packed = mats.map((src) => {
      if (src.data.length !== src.rows * src.cols) throw new Error(`matrix of ${src.data.length} floats is not [${src.rows}, ${src.cols}]`);
      const p = { src, ptr, blocks: Math.ceil(src.rows / R), kp: roundUp(src.cols, 4) };
      ptr += p.blocks * R * p.kp * 4;
      return p;
    });
    this.scratchPtr = ptr;
    this.maxKp = Math.max(4, ...this.packed.map((p) => p.kp));
    this.maxNp = Math.max(R, ...this.packed.map((p) => p.blocks * R));
    const inst = new WebAssembly.Instance(mod, {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.fn = inst.exports.matmul as SimdMatrices['fn'];
    this.f32 = new Float32Array(this.memory.buffer);
    this.reserve(1);
  }

  /** Bytes of wasm memory in use (packed weights + scratch). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Grows the scratch regions to hold T rows. */
  private reserve(T: number): void {
    if (T <= this.rowsCap) return;
    const need = this.scratchPtr + T * (this.maxKp + this.maxNp) * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    this.f32 = new Float32Array(this.memory.buffer);
    this.rowsCap = T;
  }

  /** Copies every matrix into its panels (run again after the JS weights change). */
  upload(): void {
    const m = this.f32;
    const chunkStep = R * 4; // floats from one chunk of a row to its next chunk inside a panel
    for (const { src, ptr, blocks, kp } of this.packed) {
      const { data, rows, cols } = src;
      const base = ptr >> 2;
      m.fill(0, base, base + blocks * R * kp); // padded rows and columns
      // Row by row: sequential reads, each four-float chunk to its slot in the row's panel.
      for (let r = 0; r < rows; r++) {
        let d = base + Math.floor(r / R) * R * kp + (r % R) * 4;
        const s = r * cols;
        let k = 0;
        for (; k + 3 < cols; k += 4, d += chunkStep) {
          m[d] = data[s + k]; m[d + 1] = data[s + k + 1]; m[d + 2] = data[s + k + 2]; m[d + 3] = data[s + k + 3];
        }
        for (let q = 0; k < cols; k++, q++) m[d + q] = data[s + k];
      }
    }
  }

  /** y[T, N] = x[T, K] · W_iᵀ for matrix i [N, K]; x and y are JS arrays (row-major, unpadded). */
  matmul(i: number, x: Float32Array, y: Float32Array, T: number): void {
    const { src, ptr, blocks, kp } = this.packed[i];
    const N = src.rows, K = src.cols, np = blocks * R;
    this.reserve(T);
    const m = this.f32;
    const xo = this.scratchPtr >> 2, yo = xo + this.rowsCap * this.maxKp;
    if (kp === K) m.set(x.subarray(0, T * K), xo);
    else for (let t = 0; t < T; t++) {
      m.set(x.subarray(t * K, t * K + K), xo + t * kp);
      m.fill(0, xo + t * kp + K, xo + (t + 1) * kp); // padded columns: 0 · 0, never NaN
    }
    this.fn(ptr, xo << 2, yo << 2, blocks, kp * 4, T, np * 4);
    if (np === N) y.set(m.subarray(yo, yo + T * N));
    else for (let t = 0; t < T; t++) y.set(m.subarray(yo + t * np, yo + t * np + N), t * N);
  }
}
