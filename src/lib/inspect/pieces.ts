/** Display helpers for token pieces. */

/** Makes whitespace visible: space → ·, newline → ↵, tab → →. */
export function visiblePiece(s: string): string {
  return s.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→');
}

/** Ids of the `k` largest values, best first. */
export function topIds(values: ArrayLike<number>, k: number): number[] {
  const ids = Array.from({ length: values.length }, (_, i) => i);
  ids.sort((a, b) => values[b]! - values[a]! || a - b);
  return ids.slice(0, k);
}

/** Shannon entropy in bits of a probability vector. */
export function entropyBits(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) h -= p[i]! * Math.log2(p[i]!);
  return h;
}
