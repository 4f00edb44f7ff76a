/**
 * Byte helpers shared by the BPE trainer, the tokenizer and the file formats.
 *
 * Text is always UTF-8. A JavaScript string may hold lone UTF-16 surrogates (half of an emoji cut
 * by `slice`, for instance); they cannot be written as UTF-8, so — exactly like `TextEncoder` and
 * tiktoken — each one is encoded as U+FFFD (bytes EF BF BD). Every well-formed string therefore
 * round-trips losslessly; a string with lone surrogates comes back with U+FFFD in their place.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes of `s` (lone surrogates become U+FFFD), with a fast path for ASCII. */
export function utf8(s: string): Uint8Array {
  const n = s.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Decodes UTF-8, replacing malformed sequences with U+FFFD (never throws). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** True when `bytes` is valid UTF-8 (used to reject binary files with a clear message). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A bytes → string key (one char per byte, latin1) usable in Maps; reversible with `keyBytes`. */
export function bytesKey(bytes: Uint8Array): string {
  if (bytes.length <= 32) {
    let k = '';
    for (let i = 0; i < bytes.length; i++) k += String.fromCharCode(bytes[i]);
    return k;
  }
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

/** Inverse of `bytesKey`. */
export function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

/** Lexicographic byte-string comparison (like Python's `bytes` ordering): <0, 0, >0. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Concatenates two byte strings. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

let byteToUnicodeTable: string[] | null = null;
let unicodeToByteTable: Map<string, number> | null = null;

/**
 * GPT-2's `bytes_to_unicode`: every byte gets a printable character, so byte-level tokens can be
 * written as JSON strings in `vocab.json`, `merges.txt` and Hugging Face `tokenizer.json`
 * (the space byte 0x20 becomes "Ġ", newline 0x0A becomes "Ċ").
 */
export function byteToUnicode(): string[] {
  if (byteToUnicodeTable) return byteToUnicodeTable;
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const table = new Array<string>(256);
  for (const b of bs) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  byteToUnicodeTable = table;
  return table;
}

/** Byte-level string (GPT-2 alphabet) of some bytes: `[0x20, 0x68, 0x69]` → "Ġhi". */
export function bytesToByteLevel(bytes: Uint8Array): string {
  const t = byteToUnicode();
  let s = '';
  for (const b of bytes) s += t[b];
  return s;
}

/** Bytes of a byte-level string; throws on a character outside the GPT-2 byte alphabet. */
export function byteLevelToBytes(s: string): Uint8Array {
  if (!unicodeToByteTable) {
    unicodeToByteTable = new Map(byteToUnicode().map((ch, b) => [ch, b]));
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const b = unicodeToByteTable.get(s[i]);
    if (b === undefined) {
      throw new Error(`"${s}" is not a byte-level token: character U+${s.charCodeAt(i).toString(16).toUpperCase()} is outside the GPT-2 byte alphabet`);
    }
    out[i] = b;
  }
  return out;
}
