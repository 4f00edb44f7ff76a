/**
 * Splitting a reply that is still streaming into Markdown blocks that are complete (they end at
 * a blank line outside any code fence or $$ maths block) and the unfinished tail. The page
 * renders each complete block as Markdown once — it can no longer change — and the tail as
 * plain text, so formatting appears while the reply streams without re-rendering it every frame.
 */

export interface LiveMarkdown {
  /** complete blocks, in order (each without its trailing blank line) */
  blocks: string[];
  /** the text after the last complete block */
  tail: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits streaming Markdown into complete blocks and the unfinished tail. */
export function splitLiveMarkdown(text: string): LiveMarkdown {
  const blocks: string[] = [];
  let fence: string | null = null;
  let math = false;
  let blockStart = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break; // the last line is unfinished: it belongs to the tail
    const line = text.slice(pos, nl);
    const m = FENCE.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
    } else if (m) {
      fence = m[1];
    } else if (line.trim() === '$$') {
      math = !math;
    } else if (!math && line.trim() === '' && pos > blockStart) {
      const block = text.slice(blockStart, pos).replace(/\n+$/, '');
      if (block.trim()) blocks.push(block);
      blockStart = nl + 1;
    }
    pos = nl + 1;
  }
  return { blocks, tail: text.slice(blockStart) };
}
