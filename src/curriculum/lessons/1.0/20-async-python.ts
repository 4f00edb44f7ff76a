import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '1.0',
  order: 20,
  title: 'Async, concurrency and a Python refresher',
  body: `
An LLM call is slow: hundreds of milliseconds before the first token, then tens of tokens per
second. Applications spend most of their time **waiting** — for the model, for a retriever, for a
tool. Asynchronous code lets one thread wait for many things at once instead of one after another.

Both JavaScript and Python use the same model: an **event loop** runs functions marked \`async\`;
\`await\` suspends the current function until a result arrives, letting others run meanwhile.

| idea | TypeScript | Python (\`asyncio\`) |
|---|---|---|
| start several calls, wait for all | \`await Promise.all([...])\` | \`await asyncio.gather(...)\` |
| first one wins | \`Promise.race\` / \`Promise.any\` | \`asyncio.wait(..., return_when=FIRST_COMPLETED)\` |
| cancel | \`AbortController.abort()\` | \`task.cancel()\` |
| deadline | \`AbortSignal.timeout(ms)\` | \`asyncio.timeout(s)\` (3.11+) |
| stream tokens | \`for await (const chunk of stream)\` | \`async for chunk in stream\` |

Three rules save most bugs:
1. **Concurrent is not parallel.** Two awaited calls overlap their *waiting*; the total time is
   about the slowest call, $\\max(t_A, t_B)$, instead of the sum $t_A + t_B$.
2. **Cancel what you no longer need.** A stream you stop reading still costs tokens (and on a
   local model, compute) until you abort it.
3. **Every call gets a deadline.** A model server that hangs should not hang your app.

In the lab, predict each run's total time before pressing *Run* — if your guess is more than
20 % off, work out why (latency adds to the first token only; a timeout caps everything).
`,
  labs: ['async-streams', 'python-refresher'],
  after: `
**Virtual environments in one minute.** Every Python project should get its own environment so
that its packages (and their versions) don't clash with another project's:

\`\`\`bash
python -m venv .venv              # create
source .venv/bin/activate         # use it (Windows: .venv\\Scripts\\activate)
pip install -r requirements.txt   # install pinned dependencies
pip freeze > requirements.txt     # record exact versions
\`\`\`

Tools such as \`uv\` and \`conda\` do the same faster or with non-Python dependencies (CUDA).
`,
  quiz: [
    {
      question: 'Two streamed calls take 1.2 s and 0.8 s on their own. About how long does `await Promise.all([a(), b()])` take?',
      choices: ['0.8 s', '1.2 s', '2.0 s', '0.4 s'],
      answer: 1,
      explanation: 'They wait concurrently, so the total is the slower one: about 1.2 s (the sequential version would take about 2.0 s).',
    },
    {
      question: 'In Python, what does calling `fetch()` do when `fetch` is defined with `async def` and you forget `await`?',
      choices: ['Runs it in a background thread', 'Returns a coroutine object and runs nothing', 'Raises a SyntaxError', 'Runs it synchronously'],
      answer: 1,
      explanation: 'Calling an async function only creates a coroutine; it runs when awaited or scheduled with asyncio.create_task. Python warns "coroutine was never awaited".',
    },
    {
      question: 'You race two models and keep the first answer. What should you do with the other call?',
      choices: ['Nothing: it will be garbage-collected', 'Await it so no error is lost', 'Abort/cancel it so it stops generating', 'Restart it'],
      answer: 2,
      explanation: 'An unread stream keeps the server (or your GPU) busy generating tokens. Abort it with its AbortController (TS) or task.cancel() (Python).',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — Python for ML', url: 'https://github.com/mlabonne/llm-course#2-python-for-machine-learning' },
    { title: 'Python docs — asyncio tasks, gather, timeout', url: 'https://docs.python.org/3/library/asyncio-task.html' },
    { title: 'MDN — AbortController', url: 'https://developer.mozilla.org/en-US/docs/Web/API/AbortController' },
    { title: 'Python docs — venv', url: 'https://docs.python.org/3/library/venv.html' },
  ],
});
