/** Percentiles for the serving figures (its own module, so the page's labs don't pull in the engine). */

/** The p-th percentile (0..1) by nearest rank. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
