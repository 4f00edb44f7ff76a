/** Top-k selection with a small binary min-heap: O(n log k) instead of sorting all n scores. */

/** Indices of the k largest `scores` (ties: lower index first), best first. Skips -Infinity. */
export function topK(scores: ArrayLike<number>, k: number, n = scores.length): number[] {
  k = Math.min(k, n);
  if (k <= 0) return [];
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  // worse = smaller score, or equal score with larger index (so ties keep the earlier document)
  const worse = (a: number, b: number) => heapVal[a] < heapVal[b] || (heapVal[a] === heapVal[b] && heapIdx[a] > heapIdx[b]);
  const swap = (a: number, b: number) => {
    const ti = heapIdx[a];
    heapIdx[a] = heapIdx[b];
    heapIdx[b] = ti;
    const tv = heapVal[a];
    heapVal[a] = heapVal[b];
    heapVal[b] = tv;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s === -Infinity || Number.isNaN(s)) continue;
    if (size < k) {
      heapIdx[size] = i;
      heapVal[size] = s;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (s > heapVal[0]) {
      heapIdx[0] = i;
      heapVal[0] = s;
      down(0);
    }
  }
  const out = Array.from(heapIdx.subarray(0, size));
  return out.sort((a, b) => scores[b] - scores[a] || a - b);
}
