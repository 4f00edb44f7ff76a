/**
 * Markdown (with TeX maths) as plain reading text, for places that show a chunk's text as text
 * rather than rendering it: retrieved chunks, the extractive answer, a small model's passages.
 * Chunks cut from lessons carry raw `**`, `##`, `$$` and table pipes; a learner should read the
 * words. Not a Markdown parser: line-level and inline rules that keep every word and drop the
 * markup. The output is shown as text nodes (never HTML), so nothing here needs sanitising.
 */

/** A few TeX commands written as the symbol a reader expects; other commands lose their backslash. */
const TEX: Record<string, string> = {
  cdot: '·', times: '×', le: '≤', leq: '≤', ge: '≥', geq: '≥', approx: '≈', neq: '≠', ne: '≠', to: '→', rightarrow: '→',
  leftarrow: '←', sum: 'Σ', prod: 'Π', infty: '∞', in: '∈', alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε',
  theta: 'θ', lambda: 'λ', mu: 'μ', pi: 'π', sigma: 'σ', tau: 'τ', phi: 'φ', partial: '∂', nabla: '∇', ldots: '…', dots: '…',
  cdots: '⋯', quad: ' ', qquad: ' ', top: 'ᵀ', sqrt: '√', log: 'log', ln: 'ln', exp: 'exp', max: 'max', min: 'min', softmax: 'softmax',
};

/** TeX source as readable text: \frac{a}{b} → (a)/(b), \mathrm{x} → x, \cdot → ·, braces dropped. */
export function texToPlain(tex: string): string {
  let s = tex;
  // \frac{a}{b} (innermost first, a few rounds for nesting)
  for (let i = 0; i < 4; i++) s = s.replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)');
  s = s.replace(/\\(?:mathrm|text|textbf|mathbf|mathit|operatorname|mathcal|boldsymbol)\{([^{}]*)\}/g, '$1');
  s = s.replace(/\\sqrt\{([^{}]*)\}/g, '√($1)');
  s = s.replace(/\\(?:left|right|big|Big|bigg|Bigg)(?=[()[\]|.\\])/g, '');
  s = s.replace(/\\[,;:!]/g, ' ').replace(/\\\\/g, '; ');
  s = s.replace(/\\([A-Za-z]+)/g, (_, name: string) => TEX[name] ?? name);
  s = s.replace(/\\([{}_^%$#&])/g, '$1');
  return s.replace(/[{}]/g, '').replace(/[ \t]+/g, ' ').trim();
}

/** Inline Markdown of one line as text. */
function inlinePlain(line: string): string {
  let s = line;
  s = s.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1'); // images → alt text
  s = s.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1'); // links → their text
  s = s.replace(/\$\$([^$]+)\$\$/g, (_, t: string) => texToPlain(t));
  s = s.replace(/(^|[^\\$])\$([^$\n]+?)\$(?!\d)/g, (_, pre: string, t: string) => pre + texToPlain(t));
  s = s.replace(/`+([^`]+?)`+/g, '$1'); // inline code keeps its text
  s = s.replace(/(\*\*|__)(?=\S)([^*_]+?)\1/g, '$2'); // bold
  s = s.replace(/(^|[\s(])[*_](?=\S)([^*_\n]+?)[*_](?=[\s).,;:!?]|$)/g, '$1$2'); // italics (not snake_case)
  s = s.replace(/~~(.+?)~~/g, '$1');
  s = s.replace(/<\/?[a-zA-Z][^>]*>/g, ''); // stray HTML tags
  return s;
}

/** Markdown text as plain reading text (headings, lists, tables, quotes, code fences and maths unwrapped). */
export function markdownToPlain(md: string): string {
  const out: string[] = [];
  let inMath = false;
  let math: string[] = [];
  for (const raw of md.split('\n')) {
    const line = raw.trimEnd();
    if (inMath) {
      if (/\$\$\s*$/.test(line)) {
        math.push(line.replace(/\$\$\s*$/, ''));
        out.push(texToPlain(math.join(' ')));
        inMath = false;
        math = [];
      } else math.push(line);
      continue;
    }
    if (/^\s*\$\$/.test(line) && !/^\s*\$\$.*\$\$\s*$/.test(line)) {
      inMath = true;
      math = [line.replace(/^\s*\$\$/, '')];
      continue;
    }
    if (/^\s*(```|~~~)/.test(line)) continue; // fence markers; the code lines stay
    if (/^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line)) continue; // table separator row
    if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) continue; // horizontal rule
    let s = line;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(s);
    if (heading) s = heading[1]!;
    else if (/^\s*\|.*\|\s*$/.test(s)) s = s.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()).filter(Boolean).join(' · ');
    s = s.replace(/^\s*>\s?/, ''); // blockquote
    s = s.replace(/^(\s*)[-*+]\s+(\[[ xX]\]\s+)?/, '$1• '); // bullet
    out.push(inlinePlain(s));
  }
  if (inMath) out.push(texToPlain(math.join(' ')));
  return out.join('\n');
}
