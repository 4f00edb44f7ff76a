/**
 * Finding the JSON in a model's free-text reply. Small models wrap JSON in prose or code fences,
 * or stop mid-object; this extracts the first value that parses and says why when none does.
 */

export type JsonExtraction =
  | { ok: true; value: unknown; /** the JSON text that parsed */ text: string; from: 'whole' | 'fence' | 'scan' }
  | { ok: false; error: string };

/** Extracts a JSON value: the whole reply, else a ```json fence, else the first balanced {…} or […]. */
export function extractJson(reply: string): JsonExtraction {
  const whole = reply.trim();
  if (!whole) return { ok: false, error: 'The reply is empty.' };
  const direct = tryParse(whole);
  if (direct.ok) return { ok: true, value: direct.value, text: whole, from: 'whole' };

  for (const m of whole.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\n([\s\S]*?)```/g)) {
    const body = m[1].trim();
    const r = tryParse(body);
    if (r.ok) return { ok: true, value: r.value, text: body, from: 'fence' };
  }

  let firstError: string | undefined;
  for (let i = 0; i < whole.length; i++) {
    const ch = whole[i];
    if (ch !== '{' && ch !== '[') continue;
    const end = balancedEnd(whole, i);
    if (end < 0) {
      firstError ??= `The JSON that starts at character ${i + 1} is never closed (the reply may have been cut off by max_tokens).`;
      continue;
    }
    const candidate = whole.slice(i, end + 1);
    const r = tryParse(candidate);
    if (r.ok) return { ok: true, value: r.value, text: candidate, from: 'scan' };
    firstError ??= `Found ${candidate.length > 60 ? candidate.slice(0, 57) + '…' : candidate} but it is not valid JSON: ${r.error}`;
  }
  return { ok: false, error: firstError ?? `No JSON object or array in the reply (${direct.error}).` };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Index of the bracket closing the one at `start`, skipping brackets inside strings; -1 if none. */
export function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
