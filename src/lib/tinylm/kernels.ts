/**
 * Dense Float32Array kernels used by the autograd ops and the inference path.
 * All matrices are row-major. Each fast kernel reads rows contiguously (cache friendly) and
 * unrolls by four; `matmulRef` is the plain, obvious triple loop kept as the reference.
 * `acc` = true adds into `c` instead of overwriting it (gradient accumulation).
 *
 * The three products used by training (`matmulABt`, `matmulAB`, `matmulAtB`) run in the
 * WebAssembly SIMD kernel of `simd-train.ts` where it is available and the product is big enough
 * to pay for copying the operands into wasm memory. That kernel gives exactly the bits of the JS
 * kernels here (`matmulABtJS`, `matmulABJS`, `matmulAtBJS`: the reference and the fallback), so a
 * model trained from a seed is the same with either. `setTrainKernel('js')` (or the environment
 * variable TINYLM_TRAIN_KERNEL=js in Node, read once at load) forces the JS kernels.
 */
import { TRAIN_MATMUL_MAX_BYTES, trainMatmul, trainMatmulBytes, type TrainProduct } from './simd-train';

/** c[M,N] (+)= a[M,K] · b[K,N] — the plain reference triple loop (float64 accumulation). */
export function matmulRef(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      c[i * N + j] = acc ? c[i * N + j] + s : s;
    }
  }
}

/** Dot product of a[ao..ao+K) and b[bo..bo+K). */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, K: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < K; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < K; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/** y[yo..yo+K) += alpha · x[xo..xo+K). */
export function axpy(alpha: number, x: Float32Array, xo: number, y: Float32Array, yo: number, K: number): void {
  let k = 0;
  for (; k + 3 < K; k += 4) {
    y[yo + k] += alpha * x[xo + k];
    y[yo + k + 1] += alpha * x[xo + k + 1];
    y[yo + k + 2] += alpha * x[xo + k + 2];
    y[yo + k + 3] += alpha * x[xo + k + 3];
  }
  for (; k < K; k++) y[yo + k] += alpha * x[xo + k];
}

/**
 * c[M,N] (+)= a[M,K] · b[N,K]ᵀ — the "linear layer" product with [out, in] weights.
 * Every output is a dot product of two contiguous rows. Register blocking: two rows of a and four
 * rows of b are read together, so each loaded value feeds several multiply-adds.
 */
export function matmulABtJS(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = i * K, a1 = a0 + K;
    const c0 = i * N, c1 = c0 + N;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k], x1 = a[a1 + k];
        const y0 = b[b0 + k], y1 = b[b1 + k], y2 = b[b2 + k], y3 = b[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (acc) {
        c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02; c[c0 + j + 3] += s03;
        c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12; c[c1 + j + 3] += s13;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
      }
    }
    for (; j < N; j++) {
      const s0 = dot(a, a0, b, j * K, K), s1 = dot(a, a1, b, j * K, K);
      c[c0 + j] = acc ? c[c0 + j] + s0 : s0;
      c[c1 + j] = acc ? c[c1 + j] + s1 : s1;
    }
  }
  if (i < M) matvecRows(a, i * K, b, c, i * N, N, K, acc);
}

/** c[co..co+N) (+)= b[N,K] · a[ao..ao+K): one row of a against all rows of b. */
function matvecRows(a: Float32Array, ao: number, b: Float32Array, c: Float32Array, co: number, N: number, K: number, acc: boolean): void {
  let j = 0;
  for (; j + 3 < N; j += 4) {
    const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < K; k++) {
      const x = a[ao + k];
      s0 += x * b[b0 + k];
      s1 += x * b[b1 + k];
      s2 += x * b[b2 + k];
      s3 += x * b[b3 + k];
    }
    if (acc) {
      c[co + j] += s0; c[co + j + 1] += s1; c[co + j + 2] += s2; c[co + j + 3] += s3;
    } else {
      c[co + j] = s0; c[co + j + 1] = s1; c[co + j + 2] = s2; c[co + j + 3] = s3;
    }
  }
  for (; j < N; j++) {
    const s = dot(a, ao, b, j * K, K);
    c[co + j] = acc ? c[co + j] + s : s;
  }
}

/** Scratch buffers for transposes (grown on demand; kernels are not re-entrant). */
const scratch: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
function scratchBuf(slot: number, n: number): Float32Array {
  if (scratch[slot].length < n) scratch[slot] = new Float32Array(n);
  return scratch[slot];
}

/** out[C,R] = x[R,C]ᵀ (blocked for cache friendliness). */
export function transposeInto(x: Float32Array, out: Float32Array, R: number, C: number): void {
  const BS = 32;
  for (let r0 = 0; r0 < R; r0 += BS) {
    const r1 = Math.min(R, r0 + BS);
    for (let c0 = 0; c0 < C; c0 += BS) {
      const c1 = Math.min(C, c0 + BS);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * R + r] = x[r * C + c];
    }
  }
}

/** c[M,N] (+)= a[M,K] · b[K,N] — via bᵀ and the dot-product kernel (JS). */
export function matmulABJS(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  const bt = scratchBuf(0, N * K);
  transposeInto(b, bt, K, N); // bt [N, K]
  matmulABtJS(a, bt, c, M, N, K, acc);
}

/** c[M,N] (+)= a[K,M]ᵀ · b[K,N] — weight gradients, via two transposes and the dot-product kernel (JS). */
export function matmulAtBJS(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  const at = scratchBuf(0, M * K);
  const bt = scratchBuf(1, N * K);
  transposeInto(a, at, K, M); // at [M, K]
  transposeInto(b, bt, K, N); // bt [N, K]
  matmulABtJS(at, bt, c, M, N, K, acc);
}

// ---- training products: the exact WebAssembly SIMD kernel, or the JS kernels above ----

export type TrainKernel = 'js' | 'simd';
let trainKernelChoice: TrainKernel = 'simd';

/**
 * Chooses the kernel for `matmulABt` / `matmulAB` / `matmulAtB`: 'simd' (the default) uses the
 * WebAssembly SIMD kernel where available, 'js' always the JS kernels. Both give the same bits.
 */
export function setTrainKernel(kind: TrainKernel): void {
  if (kind !== 'js' && kind !== 'simd') throw new Error(`setTrainKernel: expected 'js' or 'simd', got ${JSON.stringify(kind)}`);
  trainKernelChoice = kind;
}

/** The kernel the training products run in now: 'simd' only if chosen and available here. */
export function trainKernel(): TrainKernel {
  return trainKernelChoice === 'simd' && trainMatmul() ? 'simd' : 'js';
}

{
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TINYLM_TRAIN_KERNEL;
  if (env) {
    if (env !== 'js' && env !== 'simd') throw new Error(`TINYLM_TRAIN_KERNEL must be 'js' or 'simd', not ${JSON.stringify(env)}`);
    setTrainKernel(env);
  }
}

/**
 * Smallest product sent to the SIMD kernel: M · N · K multiply-adds and rows of op(a) (measured in
 * Node on x64: below ~1k multiply-adds, or with fewer than 4 rows, copying the operands into wasm
 * memory costs about what the kernel saves).
 */
export const SIMD_TRAIN_MIN_WORK = 1024;
export const SIMD_TRAIN_MIN_ROWS = 4;

/** Runs the product in the SIMD kernel (columns below N − N mod 4) plus the JS tail; false if it did not. */
function trainSimd(kind: TrainProduct, a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc: boolean): boolean {
  if (trainKernelChoice !== 'simd' || N < 4 || K < 1 || M < SIMD_TRAIN_MIN_ROWS || M * N * K < SIMD_TRAIN_MIN_WORK) return false;
  if (trainMatmulBytes(M, N, K) > TRAIN_MATMUL_MAX_BYTES) return false;
  const kernel = trainMatmul();
  if (!kernel) return false;
  kernel.matmul(kind, a, b, c, M, N, K, acc);
  const N4 = N - (N % 4);
  if (N4 < N) tailColumns(kind, a, b, c, M, N, K, acc, N4);
  return true;
}

/**
 * Columns N4 … N−1 exactly as the JS kernel sums them: `dot()` of row i of op(a) and column j
 * of op(b) (four partial sums), gathered into contiguous scratch where the operand is strided.
 */
function tailColumns(kind: TrainProduct, a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc: boolean, N4: number): void {
  const nt = N - N4;
  let cols: Float32Array, co: number, cs: number; // column j of op(b) at cols[co + (j − N4)·cs …]
  if (kind === 'ABt') {
    cols = b; co = N4 * K; cs = K;
  } else {
    cols = scratchBuf(1, nt * K); co = 0; cs = K;
    for (let t = 0; t < nt; t++) for (let k = 0; k < K; k++) cols[t * K + k] = b[k * N + N4 + t];
  }
  const row = kind === 'AtB' ? scratchBuf(0, K) : a;
  for (let i = 0; i < M; i++) {
    let ro = i * K;
    if (kind === 'AtB') {
      for (let k = 0; k < K; k++) row[k] = a[k * M + i];
      ro = 0;
    }
    for (let t = 0; t < nt; t++) {
      const s = dot(row, ro, cols, co + t * cs, K), o = i * N + N4 + t;
      c[o] = acc ? c[o] + s : s;
    }
  }
}

/**
 * c[M,N] (+)= a[M,K] · b[N,K]ᵀ — the "linear layer" product with [out, in] weights
 * (SIMD where available, else `matmulABtJS`; the same bits either way).
 */
export function matmulABt(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  if (!trainSimd('ABt', a, b, c, M, N, K, acc)) matmulABtJS(a, b, c, M, N, K, acc);
}

/** c[M,N] (+)= a[M,K] · b[K,N] (SIMD where available, else `matmulABJS`; the same bits either way). */
export function matmulAB(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  if (!trainSimd('AB', a, b, c, M, N, K, acc)) matmulABJS(a, b, c, M, N, K, acc);
}

/** c[M,N] (+)= a[K,M]ᵀ · b[K,N] — weight gradients (SIMD where available, else `matmulAtBJS`; the same bits). */
export function matmulAtB(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  if (!trainSimd('AtB', a, b, c, M, N, K, acc)) matmulAtBJS(a, b, c, M, N, K, acc);
}

/** y[N] = W[N,K] · x[K] (+ y when acc): matrix–vector product for single-token decoding. */
export function matvec(W: Float32Array, x: Float32Array, y: Float32Array, N: number, K: number, acc = false): void {
  let j = 0;
  for (; j + 3 < N; j += 4) {
    const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < K; k++) {
      const v = x[k];
      s0 += v * W[b0 + k];
      s1 += v * W[b1 + k];
      s2 += v * W[b2 + k];
      s3 += v * W[b3 + k];
    }
    if (acc) {
      y[j] += s0; y[j + 1] += s1; y[j + 2] += s2; y[j + 3] += s3;
    } else {
      y[j] = s0; y[j + 1] = s1; y[j + 2] = s2; y[j + 3] = s3;
    }
  }
  for (; j < N; j++) {
    const s = dot(W, j * K, x, 0, K);
    y[j] = acc ? y[j] + s : s;
  }
}

/**
 * y[N] = W[N,K] · x[K] reading eight rows of W per pass over x (single-token decoding; ~1.3× the
 * four-row kernel in V8). Rows left over (N mod 8) use `matvec`.
 */
export function matvec8(W: Float32Array, x: Float32Array, y: Float32Array, N: number, K: number): void {
  let j = 0;
  for (; j + 7 < N; j += 8) {
    const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K, b4 = b3 + K, b5 = b4 + K, b6 = b5 + K, b7 = b6 + K;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (let k = 0; k < K; k++) {
      const v = x[k];
      s0 += v * W[b0 + k]; s1 += v * W[b1 + k]; s2 += v * W[b2 + k]; s3 += v * W[b3 + k];
      s4 += v * W[b4 + k]; s5 += v * W[b5 + k]; s6 += v * W[b6 + k]; s7 += v * W[b7 + k];
    }
    y[j] = s0; y[j + 1] = s1; y[j + 2] = s2; y[j + 3] = s3; y[j + 4] = s4; y[j + 5] = s5; y[j + 6] = s6; y[j + 7] = s7;
  }
  if (j < N) matvec(W.subarray(j * K), x, y.subarray(j), N - j, K);
}
