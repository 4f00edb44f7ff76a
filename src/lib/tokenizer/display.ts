/**
 * How token bytes are shown to a learner: valid UTF-8 as text with whitespace made visible
 * (space ·, newline ↵, tab →), and bytes that are only part of a character as hex (‹e6 97›),
 * because byte-level BPE tokens often split a multi-byte character.
 */

const WS: Record<string, string> = { ' ': '·', '\n': '↵', '\t': '→', '\r': '␍' };

/** Makes spaces, newlines and tabs visible. */
export function showWhitespace(s: string): string {
  return s.replace(/[ \n\t\r]/g, (c) => WS[c]);
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 if the bytes there are not one. */
function seqLen(b: Uint8Array, i: number): number {
  const x = b[i];
  let n = 0;
  if (x < 0x80) return 1;
  else if (x >= 0xc2 && x <= 0xdf) n = 2;
  else if (x >= 0xe0 && x <= 0xef) n = 3;
  else if (x >= 0xf0 && x <= 0xf4) n = 4;
  else return 0;
  if (i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  // Overlong / surrogate / out-of-range forms.
  if (n === 3 && ((x === 0xe0 && b[i + 1] < 0xa0) || (x === 0xed && b[i + 1] > 0x9f))) return 0;
  if (n === 4 && ((x === 0xf0 && b[i + 1] < 0x90) || (x === 0xf4 && b[i + 1] > 0x8f))) return 0;
  return n;
}

/** A token's bytes as display text: whole characters as text, stray bytes as ‹hex›. */
export function tokenLabel(bytes: Uint8Array, visibleWhitespace = true): string {
  const dec = new TextDecoder();
  let out = '';
  let stray: string[] = [];
  const flushStray = () => {
    if (stray.length) out += `‹${stray.join(' ')}›`;
    stray = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const n = seqLen(bytes, i);
    if (n === 0) {
      stray.push(bytes[i].toString(16).padStart(2, '0'));
      i++;
      continue;
    }
    flushStray();
    const s = dec.decode(bytes.subarray(i, i + n));
    out += visibleWhitespace ? showWhitespace(s) : s;
    i += n;
  }
  flushStray();
  return out;
}

/** Bytes as spaced hex: "e6 97 a5". */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
