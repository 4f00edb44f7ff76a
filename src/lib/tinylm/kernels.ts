/**
 * Dense Float32Array kernels used by the autograd ops and the inference path.
 * All matrices are row-major. Each fast kernel reads rows contiguously (cache friendly) and
 * unrolls by four; `matmulRef` is the plain, obvious triple loop kept as the reference.
 * `acc` = true adds into `c` instead of overwriting it (gradient accumulation).
 */

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
 * Every output is a dot product of two contiguous rows; four rows of b share one pass over a's row.
 */
export function matmulABt(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  for (let i = 0; i < M; i++) {
    const ao = i * K;
    const co = i * N;
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
}

/** c[M,N] (+)= a[M,K] · b[K,N] — row i of c accumulates a[i,k] · row k of b (contiguous axpy). */
export function matmulAB(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  if (!acc) c.fill(0, 0, M * N);
  for (let i = 0; i < M; i++) {
    const co = i * N;
    const ao = i * K;
    let k = 0;
    // Two rows of b per pass halves the read/write traffic on c's row.
    for (; k + 1 < K; k += 2) {
      const x0 = a[ao + k], x1 = a[ao + k + 1];
      if (x0 === 0 && x1 === 0) continue;
      const b0 = k * N, b1 = b0 + N;
      for (let j = 0; j < N; j++) c[co + j] += x0 * b[b0 + j] + x1 * b[b1 + j];
    }
    for (; k < K; k++) {
      const x = a[ao + k];
      if (x !== 0) axpy(x, b, k * N, c, co, N);
    }
  }
}

/** c[M,N] (+)= a[K,M]ᵀ · b[K,N] — weight gradients: row i of c accumulates a[k,i] · row k of b. */
export function matmulAtB(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc = false): void {
  if (!acc) c.fill(0, 0, M * N);
  let k = 0;
  for (; k + 1 < K; k += 2) {
    const a0 = k * M, a1 = a0 + M;
    const b0 = k * N, b1 = b0 + N;
    for (let i = 0; i < M; i++) {
      const x0 = a[a0 + i], x1 = a[a1 + i];
      if (x0 === 0 && x1 === 0) continue;
      const co = i * N;
      for (let j = 0; j < N; j++) c[co + j] += x0 * b[b0 + j] + x1 * b[b1 + j];
    }
  }
  for (; k < K; k++) {
    for (let i = 0; i < M; i++) {
      const x = a[k * M + i];
      if (x !== 0) axpy(x, b, k * N, c, i * N, N);
    }
  }
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
