/**
 * A WebAssembly SIMD (f32x4) dot-product kernel for the flat vector index, emitted as bytes by a
 * tiny hand-written binary encoder (no wat2wasm at build time, no .wasm asset to fetch).
 *
 * The module has one exported memory and one function
 *   scores(dataPtr, queryPtr, outPtr, n, d): out[i] = Σ_j data[i·d + j] · query[j]
 * data [n, d] f32 row-major, query [d] f32, out [n] f32, all byte addresses 16-byte aligned;
 * d must be a multiple of 4 (callers pad rows and the query with zeros). Rows are scored four at a
 * time (each query vector is loaded once for four rows, four independent accumulators), then one
 * at a time for the n mod 4 tail. The module is ~250 bytes, so `new WebAssembly.Module` compiles it
 * synchronously even on the main thread; the page CSP allows it via 'wasm-unsafe-eval'.
 */

import { normalize } from './embedders';

import {
  F32X4_ADD, F32X4_MUL, I32, I32_ADD, I32_GE_U, V128, block, br, brIf, funcBody, get, i32c, loop, moduleBytes, set, simd,
  uleb, v128Load, v128Zero, compileOnce,
} from '../wasm/emit';

const I32_SHL = 0x74, I32_GT_U = 0x4b, F32_ADD = 0x92;
const extractLane = (lane: number) => simd(0x1f, lane);
const f32Store = (offset: number) => [0x38, 2, ...uleb(offset)]; // align 2^2 = 4 bytes

// locals: params 0..4, then i32 5..11, then v128 12..16
const DATA = 0, Q = 1, OUT = 2, N = 3, D = 4;
const I = 5, J = 6, ROWB = 7, R0 = 8, R1 = 9, R2 = 10, R3 = 11;
const A0 = 12, QV = 16;

/** acc += load(rowPtr + j) * qv */
const fma = (acc: number, row: number) => [...get(acc), ...get(row), ...get(J), I32_ADD, ...v128Load(), ...get(QV), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)];
/** f32 sum of the four lanes of local `acc` → stack */
const hsum = (acc: number) => [
  ...get(acc), ...extractLane(0), ...get(acc), ...extractLane(1), F32_ADD,
  ...get(acc), ...extractLane(2), ...get(acc), ...extractLane(3), F32_ADD, F32_ADD,
];
/** j = 0; while (j < rowBytes) { qv = load(q + j); body; j += 16 } */
const overRow = (body: number[]) => [
  ...i32c(0), ...set(J),
  ...block(loop([
    ...get(J), ...get(ROWB), I32_GE_U, ...brIf(1),
    ...get(Q), ...get(J), I32_ADD, ...v128Load(), ...set(QV),
    ...body,
    ...get(J), ...i32c(16), I32_ADD, ...set(J),
    ...br(0),
  ])),
];

function scoresBody(): number[] {
  const rows = [R0, R1, R2, R3];
  const four = [
    // while (i + 4 <= n)
    ...get(I), ...i32c(4), I32_ADD, ...get(N), I32_GT_U, ...brIf(1),
    ...get(DATA), ...set(R0),
    ...get(R0), ...get(ROWB), I32_ADD, ...set(R1),
    ...get(R1), ...get(ROWB), I32_ADD, ...set(R2),
    ...get(R2), ...get(ROWB), I32_ADD, ...set(R3),
    ...rows.flatMap((_, k) => [...v128Zero(), ...set(A0 + k)]),
    ...overRow(rows.flatMap((r, k) => fma(A0 + k, r))),
    ...rows.flatMap((_, k) => [...get(OUT), ...hsum(A0 + k), ...f32Store(4 * k)]),
    ...get(OUT), ...i32c(16), I32_ADD, ...set(OUT),
    ...get(R3), ...get(ROWB), I32_ADD, ...set(DATA),
    ...get(I), ...i32c(4), I32_ADD, ...set(I),
    ...br(0),
  ];
  const one = [
    // while (i < n)
    ...get(I), ...get(N), I32_GE_U, ...brIf(1),
    ...v128Zero(), ...set(A0),
    ...overRow(fma(A0, DATA)),
    ...get(OUT), ...hsum(A0), ...f32Store(0),
    ...get(OUT), ...i32c(4), I32_ADD, ...set(OUT),
    ...get(DATA), ...get(ROWB), I32_ADD, ...set(DATA),
    ...get(I), ...i32c(1), I32_ADD, ...set(I),
    ...br(0),
  ];
  const code = [
    ...get(D), ...i32c(2), I32_SHL, ...set(ROWB),
    ...i32c(0), ...set(I),
    ...block(loop(four)),
    ...block(loop(one)),
  ];
  return funcBody([[7, I32], [5, V128]], code);
}

/** The module's bytes (deterministic): one function `scores` with five i32 parameters. */
export function scoresModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([{ name: 'scores', params: 5, body: scoresBody() }]);
}

/** The compiled module, or null where WebAssembly (or its SIMD proposal) is unavailable. */
export const scoresModule = compileOnce(scoresModuleBytes);

/** Whether the SIMD kernel can run here (Node ≥ 16.4, Chromium ≥ 91, Firefox ≥ 89, Safari ≥ 16.4). */
export function simdAvailable(): boolean {
  return scoresModule() !== null;
}

const PAGE = 65536;
const align16 = (x: number) => (x + 15) & ~15;

/**
 * Rows stored in the kernel's own memory, padded to a multiple of 4 floats, so a query copies
 * only the query in. Memory layout (bytes): [query: dPad·4 | rows: n·dPad·4 | scores: n·4].
 * The score region sits just past the last row, so adding rows reuses it.
 */
export class SimdScorer {
  /** floats per stored row (dims rounded up to a multiple of 4) */
  readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly fn: (data: number, q: number, out: number, n: number, d: number) => void;
  private readonly dataPtr: number;
  private rows = 0;

  constructor(readonly dims: number, capacity = 0) {
    const mod = scoresModule();
    if (!mod) throw new Error('WebAssembly SIMD is not available here.');
    const inst = new WebAssembly.Instance(mod, {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.fn = inst.exports.scores as SimdScorer['fn'];
    this.stride = Math.ceil(dims / 4) * 4;
    this.dataPtr = align16(this.stride * 4);
    this.reserve(capacity);
  }

  get size(): number {
    return this.rows;
  }

  /** Grows memory so `rows` rows and their scores fit (existing rows stay in place). */
  reserve(rows: number): void {
    const need = this.dataPtr + rows * (this.stride * 4 + 4);
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
  }

  /** The padded rows [size, stride] — a view into wasm memory, invalid after the next append. */
  padded(): Float32Array {
    return new Float32Array(this.memory.buffer, this.dataPtr, this.rows * this.stride);
  }

  /** Appends `count` zero-padded rows and returns them as a [count, stride] view to fill in place. */
  append(count: number): Float32Array {
    this.reserve(this.rows + count);
    const view = new Float32Array(this.memory.buffer, this.dataPtr + this.rows * this.stride * 4, count * this.stride);
    view.fill(0);
    this.rows += count;
    return view;
  }

  clear(): void {
    this.rows = 0;
  }

  /**
   * Dot product of `query` [dims] with every row: a view of [size] scores in wasm memory, valid
   * until the next call or append. The query is copied into wasm memory (zero-padded) and, with
   * `normalizeQuery`, L2-normalised there, so a search allocates nothing.
   */
  scores(query: Float32Array, normalizeQuery = false): Float32Array {
    const buf = this.memory.buffer;
    const q = new Float32Array(buf, 0, this.stride);
    const m = Math.min(query.length, this.dims);
    q.set(query.subarray(0, m));
    q.fill(0, m);
    if (normalizeQuery) normalize(q);
    const outPtr = this.dataPtr + this.rows * this.stride * 4;
    this.fn(this.dataPtr, 0, outPtr, this.rows, this.stride);
    return new Float32Array(buf, outPtr, this.rows);
  }
}

/** The plain JS reference: out[i] = Σ_j data[i·d + j] · query[j], for data [n, d]. */
export function scoresReference(data: Float32Array, query: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[i * d + j] * query[j];
    out[i] = s;
  }
  return out;
}
