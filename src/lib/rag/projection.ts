/**
 * 2-D projection of embeddings for plotting: PCA by power iteration on the covariance
 * (no matrix library). Good enough to show which vectors sit together; distances in the
 * plot are approximate — the nearest-neighbour table has the exact cosines.
 */

/** Projects n vectors (rows of `x` [n, dims]) onto their two principal components: [n][2]. */
export function pca2(x: Float32Array, n: number, dims: number, iterations = 60): Array<[number, number]> {
  if (n === 0) return [];
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j] += x[i * dims + j] / n;
  const c = new Float64Array(n * dims); // centred rows [n, dims]
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) c[i * dims + j] = x[i * dims + j] - mean[j];
  const components: Float64Array[] = [];
  for (let comp = 0; comp < 2; comp++) {
    // deterministic start vector
    let v = new Float64Array(dims).map((_, j) => Math.sin(j * 12.9898 + comp * 78.233) + 0.01);
    for (let it = 0; it < iterations; it++) {
      // w = Cᵀ C v, computed as Cᵀ (C v) without forming the dims×dims covariance
      const cv = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < dims; j++) s += c[i * dims + j] * v[j];
        cv[i] = s;
      }
      const w = new Float64Array(dims);
      for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) w[j] += c[i * dims + j] * cv[i];
      // deflate: remove the first component from the second
      for (const u of components) {
        let d = 0;
        for (let j = 0; j < dims; j++) d += w[j] * u[j];
        for (let j = 0; j < dims; j++) w[j] -= d * u[j];
      }
      let norm = 0;
      for (let j = 0; j < dims; j++) norm += w[j] * w[j];
      norm = Math.sqrt(norm);
      if (norm < 1e-12) break;
      for (let j = 0; j < dims; j++) w[j] /= norm;
      v = w;
    }
    components.push(v);
  }
  return Array.from({ length: n }, (_, i) => {
    const p: [number, number] = [0, 0];
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += c[i * dims + j] * components[k][j];
      p[k] = s;
    }
    return p;
  });
}
