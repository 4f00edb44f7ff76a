/**
 * The router lab's calculator tool: arithmetic in words or symbols ("What is 15% of 80?",
 * "Divide 144 by 12", "(17 + 5) * 2") evaluated by a small recursive-descent parser — never `eval`.
 * Grammar: expr = term (('+'|'-') term)* ; term = power (('*'|'/') power)* ;
 * power = unary ('^' power)? ; unary = '-' unary | 'sqrt' unary | number | '(' expr ')'.
 */
import { LabError } from '../errors';

/** Rewrites arithmetic words into symbols; returns null when no arithmetic is recognised. */
export function toExpression(query: string): string | null {
  let s = ` ${query.toLowerCase()} `.replace(/[?!,]/g, ' ').replace(/(\d),(\d{3})/g, '$1$2').replace(/\.(?!\d)/g, ' ');
  const rules: Array<[RegExp, string]> = [
    [/\bsquare root of\s+/g, ' sqrt '],
    [/\b(?:the )?sum of\s+([\d.]+)\s+and\s+([\d.]+)/g, ' ($1 + $2) '],
    [/\badd\s+([\d.]+)\s+(?:and|to)\s+([\d.]+)/g, ' ($1 + $2) '],
    [/\bsubtract\s+([\d.]+)\s+from\s+([\d.]+)/g, ' ($2 - $1) '],
    [/\bmultiply\s+([\d.]+)\s+(?:by|and)\s+([\d.]+)/g, ' ($1 * $2) '],
    [/\bdivide\s+([\d.]+)\s+by\s+([\d.]+)/g, ' ($1 / $2) '],
    [/([\d.]+)\s*(?:%|percent)\s+of\s+([\d.]+)/g, ' ($1 / 100 * $2) '],
    [/\bto the power of\b|\bpower of\b/g, ' ^ '],
    [/\bplus\b/g, ' + '],
    [/\bminus\b/g, ' - '],
    [/\b(?:times|multiplied by)\b/g, ' * '],
    [/\bdivided by\b|\bover\b/g, ' / '],
    [/(\d)\s*[x×]\s*(?=\d)/g, '$1 * '],
    [/÷/g, ' / '],
  ];
  for (const [re, to] of rules) s = s.replace(re, to);
  // Everything that is not arithmetic separates candidate expressions ("sqrt" survives as a word).
  const segments = s
    .replace(/sqrt/g, '\u0001')
    .replace(/[^\d.()+\-*/^\s\u0001]/g, '|')
    .split('|')
    .map((x) => x.replace(/\u0001/g, 'sqrt').replace(/\s+/g, ' ').trim().replace(/^[+*/^.\s)]+|[+\-*/^.\s(]+$/g, ''))
    .filter((x) => /\d/.test(x) && (/\d\s*[+\-*/^]\s*[\d(-]|^sqrt|[+\-*/^]\s*\(/.test(x) || x.startsWith('sqrt')));
  return segments.sort((x, y) => y.length - x.length)[0] ?? null;
}

/** Evaluates an arithmetic expression (numbers, + - * / ^, parentheses, sqrt). */
export function evaluate(expr: string): number {
  const tokens = expr.match(/sqrt|\d+(?:\.\d+)?|\.\d+|[()+\-*/^]/g) ?? [];
  if (tokens.join('') !== expr.replace(/\s+/g, '')) throw new LabError('bad-input', `“${expr}” has characters the calculator does not know.`, 'Use numbers, + − × ÷ ^ and parentheses.');
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expr_ = (): number => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = next() === '+' ? v + term() : v - term();
    return v;
  };
  const term = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '/') v = next() === '*' ? v * power() : v / power();
    return v;
  };
  const power = (): number => {
    const base = unary();
    if (peek() === '^') {
      next();
      return base ** power();
    }
    return base;
  };
  const unary = (): number => {
    const t = next();
    if (t === '-') return -unary();
    if (t === 'sqrt') return Math.sqrt(unary());
    if (t === '(') {
      const v = expr_();
      if (next() !== ')') throw new LabError('bad-input', 'A parenthesis is not closed.', 'Check the brackets.');
      return v;
    }
    if (t !== undefined && /^[\d.]/.test(t)) return Number(t);
    throw new LabError('bad-input', `The calculator expected a number${t ? ` but found “${t}”` : ' at the end'}.`, 'Write the sum with numbers and operators.');
  };
  const v = expr_();
  if (i < tokens.length) throw new LabError('bad-input', `Unexpected “${tokens[i]}” in “${expr}”.`, 'Write the sum with numbers and operators.');
  return v;
}

/** The tool: a question in, "expression = value" out (or a LabError saying no arithmetic was found). */
export function calculate(query: string): { expression: string; value: number } {
  const expression = toExpression(query);
  if (!expression) throw new LabError('bad-input', 'No arithmetic found in this query.', 'The router sent a non-calculation to the calculator: a routing error.');
  const value = evaluate(expression);
  if (!Number.isFinite(value)) throw new LabError('bad-input', `${expression} has no finite value.`, 'Check for a division by zero.');
  return { expression, value: Math.round(value * 1e9) / 1e9 };
}
