/** Check-yourself exercises for the Python refresher: predict what the snippet prints. */

export interface Exercise {
  id: string;
  topic: string;
  /** Markdown shown above the answer box (usually a fenced Python snippet). */
  prompt: string;
  /** Accepted answers after normalisation (see `normalise`). */
  accept: string[];
  /** Why, shown after a correct answer or on "show answer". */
  explain: string;
}

export const EXERCISES: Exercise[] = [
  {
    id: 'venv',
    topic: 'Virtual environments',
    prompt: 'Type the command that creates a virtual environment in the folder `.venv` with the standard library only (no extra tools).',
    accept: ['python -m venv .venv', 'python3 -m venv .venv'],
    explain:
      '`python -m venv .venv` creates an isolated interpreter and `site-packages`. Activate it with `source .venv/bin/activate` (Windows: `.venv\\Scripts\\activate`), then `pip install -r requirements.txt`; `pip freeze > requirements.txt` records exact versions. One environment per project keeps `torch`, `transformers` and friends from fighting.',
  },
  {
    id: 'slice',
    topic: 'Lists and slicing',
    prompt: '```python\nxs = [3, 1, 4, 1, 5]\nprint(xs[1:3], xs[-1])\n```',
    accept: ['[1, 4] 5'],
    explain: 'Slices are half-open: `xs[1:3]` takes indices 1 and 2. Negative indices count from the end. Token id lists are sliced like this to keep the last N tokens of a context.',
  },
  {
    id: 'dict',
    topic: 'Dictionaries',
    prompt: '```python\ncounts = {}\nfor w in "to be or not to be".split():\n    counts[w] = counts.get(w, 0) + 1\nprint(counts["to"], len(counts))\n```',
    accept: ['2 4'],
    explain: '`dict.get(key, default)` avoids a `KeyError`; there are 4 distinct words. Counting pairs like this is the heart of BPE training (`collections.Counter` does it in one line).',
  },
  {
    id: 'set',
    topic: 'Sets',
    prompt: '```python\nprint(sorted({3, 1, 3, 2} | {2, 5}))\n```',
    accept: ['[1, 2, 3, 5]'],
    explain: 'A set keeps each element once; `|` is union. Sets give O(1) membership tests, e.g. "is this token a stop token?".',
  },
  {
    id: 'sort-key',
    topic: 'Tuples and sorting',
    prompt: '```python\npairs = [("b", 2), ("a", 3), ("c", 1)]\nprint(sorted(pairs, key=lambda p: p[1])[0][0])\n```',
    accept: ['c'],
    explain: '`key=` sorts by the second element; the smallest is `("c", 1)` and `[0][0]` takes its first field. Tuples are immutable, so they can be dict keys (a BPE merge is a tuple of two tokens).',
  },
  {
    id: 'deque',
    topic: 'Deques',
    prompt: '```python\nfrom collections import deque\nq = deque(maxlen=3)\nfor t in range(5):\n    q.append(t)\nprint(list(q))\n```',
    accept: ['[2, 3, 4]'],
    explain: 'A bounded deque drops from the other end when full — exactly a sliding window over the last N chat messages.',
  },
  {
    id: 'heapq',
    topic: 'Heaps',
    prompt: '```python\nimport heapq\nprint(heapq.nlargest(2, [0.1, 0.7, 0.2]))\n```',
    accept: ['[0.7, 0.2]'],
    explain: '`heapq.nlargest(k, xs)` is top-k selection in O(n log k): the same job as top-k sampling or picking the k best retrieved chunks.',
  },
  {
    id: 'coroutine',
    topic: 'async / await',
    prompt: '```python\nasync def f():\n    return 1\n\nprint(type(f()).__name__)\n```',
    accept: ['coroutine'],
    explain: 'Calling an `async def` function runs nothing: it returns a coroutine object, which runs only when awaited (or wrapped in `asyncio.create_task`). Forgetting `await` is the classic bug (Python warns "coroutine was never awaited").',
  },
];

/** Normalises an answer: trims, collapses whitespace, unifies quotes, drops a trailing prompt marker. */
export function normalise(s: string): string {
  return s
    .replace(/^\s*(>>>|\$)\s*/, '')
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/\s*,\s*/g, ', ')
    .replace(/\[\s+/g, '[')
    .replace(/\s+\]/g, ']')
    .trim();
}

/** Whether `answer` matches one of the exercise's accepted answers. */
export function isCorrect(ex: Exercise, answer: string): boolean {
  const a = normalise(answer);
  return ex.accept.some((x) => normalise(x) === a);
}
