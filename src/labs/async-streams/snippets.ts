/** The same pattern in TypeScript and in Python's asyncio, shown side by side in the lab. */
import type { Pattern } from './streams';

export const SNIPPETS: Record<Pattern, { ts: string; py: string; explain: string }> = {
  sequential: {
    explain: 'Each call waits for the previous one: total time is the **sum** of both calls.',
    ts: `for (const prompt of [a, b]) {
  const stream = await client.chat.completions.create({
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  });
  for await (const chunk of stream) show(chunk.choices[0].delta.content);
}`,
    py: `async def main():
    for prompt in (a, b):
        stream = await client.chat.completions.create(
            messages=[{"role": "user", "content": prompt}],
            stream=True)
        async for chunk in stream:
            show(chunk.choices[0].delta.content)`,
  },
  concurrent: {
    explain: 'Both calls start at once; total time is the **slowest** call, not the sum. `Promise.all` ≈ `asyncio.gather`.',
    ts: `async function consume(prompt: string, lane: number) {
  const stream = await client.chat.completions.create({
    messages: [{ role: 'user', content: prompt }], stream: true });
  for await (const chunk of stream) show(lane, chunk.choices[0].delta.content);
}
await Promise.all([consume(a, 0), consume(b, 1)]);`,
    py: `async def consume(prompt, lane):
    stream = await client.chat.completions.create(
        messages=[{"role": "user", "content": prompt}], stream=True)
    async for chunk in stream:
        show(lane, chunk.choices[0].delta.content)

await asyncio.gather(consume(a, 0), consume(b, 1))`,
  },
  race: {
    explain: 'Take the first answer and **cancel** the rest so they stop using compute. `AbortController` ≈ `task.cancel()`.',
    ts: `const controllers = [new AbortController(), new AbortController()];
const calls = [a, b].map((p, i) =>
  client.chat.completions.create({ messages: [{ role: 'user', content: p }],
    signal: controllers[i].signal }).then(() => i));
const winner = await Promise.any(calls);
controllers.forEach((c, i) => i !== winner && c.abort());`,
    py: `tasks = [asyncio.create_task(complete(p)) for p in (a, b)]
done, pending = await asyncio.wait(
    tasks, return_when=asyncio.FIRST_COMPLETED)
for t in pending:
    t.cancel()          # raises CancelledError inside the task
winner = done.pop().result()`,
  },
  timeout: {
    explain: 'Give every call a **deadline**; a call that runs over is aborted and you keep what arrived so far.',
    ts: `const signal = AbortSignal.timeout(800); // ms
try {
  const stream = await client.chat.completions.create({
    messages, stream: true, signal });
  for await (const chunk of stream) show(chunk.choices[0].delta.content);
} catch (e) {
  if (e.name === 'TimeoutError') show('[timed out]');
  else throw e;
}`,
    py: `try:
    async with asyncio.timeout(0.8):   # Python 3.11+
        stream = await client.chat.completions.create(
            messages=messages, stream=True)
        async for chunk in stream:
            show(chunk.choices[0].delta.content)
except TimeoutError:
    show("[timed out]")`,
  },
};
