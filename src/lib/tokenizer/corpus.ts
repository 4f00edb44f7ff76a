/** Checks a dropped file before it becomes a training corpus. */
import { isValidUtf8 } from './bytes';

/** Turns file bytes into corpus text, or explains why not (binary, not UTF-8). */
export function corpusFromBytes(bytes: Uint8Array): { text: string } | { error: string } {
  const head = bytes.subarray(0, 65_536);
  let zeros = 0;
  for (const b of head) if (b === 0) zeros++;
  if (zeros > 0) return { error: 'This looks like a binary file (it contains NUL bytes). Drop a plain-text file (.txt, .md, .csv, code…).' };
  if (!isValidUtf8(bytes)) return { error: 'This file is not valid UTF-8 text. Save it as UTF-8 and try again.' };
  let text = new TextDecoder().decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) return { error: 'This file is empty.' };
  return { text };
}
