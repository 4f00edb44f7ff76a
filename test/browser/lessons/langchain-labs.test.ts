/** Lesson 1.3 labs with real LangChain.js in Chromium, over the engine test double (no app model state here). */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from './lab-host';
import { reactive } from './reactive.svelte';
import componentsMeta from '../../../src/labs/lc-components/meta';
import memoryMeta from '../../../src/labs/lc-memory/meta';
import routerMeta from '../../../src/labs/lc-router/meta';

const T = 30_000;

describe('lesson 1.3 labs', () => {
  it('lc-components: the chain runs, the run tree shows prompt → model → parser, a parse failure is fixed, 1.3.a ticks', async () => {
    const host = fakeHost();
    const state = reactive(componentsMeta.defaults());
    const { default: C } = await componentsMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.container.querySelector('[data-lc-code-ts]')!.textContent).toContain('prompt.pipe(model).pipe(parser)');
    expect(r.container.querySelector('[data-lc-code-py]')!.textContent).toContain('chain = prompt | model | parser');

    await fireEvent.click(r.container.querySelector('[data-lc-run]')!);
    await until(() => r.container.querySelector('[data-lc-result]'), T, 'result');
    // the test double echoes the last user message: the prompt template filled it in
    expect(r.container.querySelector('[data-lc-result]')!.textContent).toContain('You said: Context: Mosan lives in Dakar.');
    const kinds = [...r.container.querySelectorAll('[data-run-kind]')].map((e) => e.getAttribute('data-run-kind'));
    expect(kinds).toEqual(['chain', 'prompt', 'llm', 'parser']);
    expect(r.container.querySelector('[data-run-kind="llm"]')!.textContent).toMatch(/\d+ \+ \d+ tokens/);
    await until(() => host.completed.length > 0, T, '1.3.a');
    expect(host.completed[0]).toMatchObject({ taskId: '1.3.a', evidence: { parser: 'string', mode: 'invoke' } });

    // JSON parser on a plain-text answer: the parse error and the fix-and-retry step
    await fireEvent.change(r.container.querySelector('[data-lc-preset]')!, { target: { value: 'mismatch' } });
    await fireEvent.click(r.container.querySelector('[data-lc-run]')!);
    await until(() => r.container.querySelector('[data-lc-parse-error]'), T, 'parse error');
    expect(r.container.querySelector('[data-lc-parse-error]')!.textContent).toMatch(/The parser failed/);
    await fireEvent.click(r.container.querySelector('[data-lc-fix]')!);
    await until(() => r.container.querySelector('[data-lc-retry]'), T, 'retry');
    expect(r.container.querySelector('[data-lc-retry]')!.getAttribute('data-ok')).toBe('true');

    // stream and batch
    state.mode = 'stream';
    await fireEvent.change(r.container.querySelector('[data-lc-preset]')!, { target: { value: 'qa' } });
    await fireEvent.click(r.container.querySelector('[data-lc-run]')!);
    await until(() => r.container.querySelector('[data-lc-results]')?.textContent?.includes('streamed pieces'), T, 'stream');
    state.mode = 'batch';
    await fireEvent.click(r.container.querySelector('[data-lc-run]')!);
    await until(() => r.container.querySelectorAll('[data-lc-result]').length === 3, T, 'batch');

    // an empty variable: a clear message, nothing lost
    await fireEvent.input(r.container.querySelector('[data-lc-var="context"]')!, { target: { value: '' } });
    state.mode = 'invoke';
    await fireEvent.click(r.container.querySelector('[data-lc-run]')!);
    await until(() => r.container.querySelector('[role="alert"]'), T, 'alert');
    expect(r.container.querySelector('[role="alert"]')!.textContent).toMatch(/\{context\} is empty/);
    expect(state.template).toContain('{context}');
    r.unmount();
  });

  it('lc-memory: five strategies over IndexedDB, exact prompts with token counts, the script ticks 1.3.b', async () => {
    const host = fakeHost();
    const state = reactive(memoryMeta.defaults());
    const { default: C } = await memoryMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    await fireEvent.click(r.container.querySelector('[data-mem-clear]')!);
    // an empty message: a clear message
    await fireEvent.click(r.container.querySelector('[data-mem-send]')!);
    await until(() => r.container.querySelector('[role="alert"]'), T, 'alert');
    expect(r.container.querySelector('[role="alert"]')!.textContent).toMatch(/message is empty/);

    await fireEvent.click(r.container.querySelector('[data-mem-script]')!);
    await until(() => host.completed.length > 0, 60_000, '1.3.b');
    expect(host.completed[0]!.taskId).toBe('1.3.b');
    const col = (id: string) => r.container.querySelector(`[data-mem-col="${id}"]`)!;
    for (const id of ['none', 'buffer', 'last-k', 'trim', 'summary']) expect(col(id).querySelectorAll('[data-mem-turn]').length).toBe(10);
    const lastPrompt = (id: string) => [...col(id).querySelectorAll('pre')].at(-1)!.textContent!;
    expect(lastPrompt('buffer')).toContain('Mosan lives in Dakar.');
    expect(lastPrompt('none')).not.toContain('Mosan lives in Dakar.');
    expect(lastPrompt('last-k')).not.toContain('Mosan lives in Dakar.');
    const tokens = (id: string) => Number([...col(id).querySelectorAll('[data-mem-tokens]')].at(-1)!.getAttribute('data-mem-tokens'));
    expect(tokens('buffer')).toBeGreaterThan(tokens('none'));
    // the scoreboard: the echoing test double "recalls" only where turn 1 reached the prompt
    expect(r.container.querySelector('[data-mem-board-row="none"]')!.getAttribute('data-recalled')).toBe('false');
    r.unmount();
  }, 90_000);

  it('lc-router: three routers decide, the chain answers with the calculator tool, live evaluation ticks 1.3.c, bad rules are explained', async () => {
    const host = fakeHost();
    const state = reactive(routerMeta.defaults());
    const { default: C } = await routerMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    await fireEvent.click(r.container.querySelector('[data-router-ask]')!);
    await until(() => r.container.querySelector('[data-router-answer]'), T, 'answer');
    expect(r.container.querySelector('[data-router-decision="keyword"]')!.getAttribute('data-route')).toBe('calculator');
    expect(r.container.querySelector('[data-router-answer]')!.textContent).toContain('= 12');
    // retrieval over the course through the LangChain retriever
    state.query = 'What is BM25?';
    await fireEvent.click(r.container.querySelector('[data-router-ask]')!);
    await until(() => r.container.querySelector('[data-router-answer]')?.getAttribute('data-route') === 'retrieval', T, 'retrieval');
    expect(r.container.querySelector('[data-router-answer] pre')!.textContent).toMatch(/BM25/);

    await fireEvent.click(r.container.querySelector('[data-router-evaluate]')!);
    await until(() => host.completed.length > 0, 60_000, '1.3.c');
    expect(host.completed[0]!.taskId).toBe('1.3.c');
    const evals = [...r.container.querySelectorAll('[data-router-eval]')];
    expect(evals.map((e) => e.getAttribute('data-router-eval'))).toEqual(['keyword', 'semantic', 'llm']);
    for (const e of evals) expect(e.querySelectorAll('tbody td').length).toBe(16);

    await fireEvent.input(r.container.querySelector('[data-router-rules]')!, { target: { value: 'weather: rain' } });
    await until(() => r.container.querySelector('[role="alert"]'), T, 'alert');
    expect(r.container.querySelector('[role="alert"]')!.textContent).toMatch(/“weather” is not a route/);
    expect((r.container.querySelector('[data-router-evaluate]') as HTMLButtonElement).disabled).toBe(true);
    r.unmount();
  }, 90_000);
});
