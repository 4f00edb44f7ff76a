import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from './lab-host';
import { reactive } from './reactive.svelte';
import asyncMeta from '../../../src/labs/async-streams/meta';
import pyMeta from '../../../src/labs/python-refresher/meta';
import nnMeta from '../../../src/labs/nn-playground/meta';
import bpMeta from '../../../src/labs/backprop-steps/meta';
import { EXERCISES } from '../../../src/labs/python-refresher/exercises';
import { engineSource, runPattern, simulatedSource } from '../../../src/labs/async-streams/streams';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';

describe('async patterns', () => {
  const two = () => [simulatedSource('a b c d', 20), simulatedSource('e f g h', 50, 30)];
  it('concurrent takes about the slowest lane, sequential about the sum', async () => {
    const seq = await runPattern('sequential', two());
    const con = await runPattern('concurrent', two());
    expect(seq.texts).toEqual(['a b c d', 'e f g h']);
    expect(con.texts).toEqual(seq.texts);
    // lane A ≈ 80 ms, lane B ≈ 230 ms
    expect(con.elapsedMs).toBeLessThan(seq.elapsedMs - 50);
  });
  it('race keeps the winner and cancels the loser; timeout stops the slow lane', async () => {
    const race = await runPattern('race', two());
    expect(race.winner).toBe(0);
    expect(race.outcomes).toEqual(['done', 'lost-race']);
    expect(race.texts[1]!.length).toBeLessThan('e f g h'.length);
    const to = await runPattern('timeout', two(), { timeoutMs: 120 });
    expect(to.outcomes).toEqual(['done', 'timeout']);
  });
  it('the same patterns drive real ChatEngine streams (test double): race cancels the slower call', async () => {
    const fast = createTestDoubleEngine({ respond: () => 'one two three', tokensPerSecond: 100 });
    const slow = createTestDoubleEngine({ respond: () => 'alpha beta gamma delta epsilon zeta eta theta', tokensPerSecond: 20 });
    const req = { messages: [{ role: 'user' as const, content: 'hi' }] };
    const both = await runPattern('concurrent', [engineSource(fast, req), engineSource(slow, req)]);
    expect(both.outcomes).toEqual(['done', 'done']);
    expect(both.texts[0]).toBe('one two three');
    const race = await runPattern('race', [engineSource(fast, req), engineSource(slow, req)]);
    expect(race.winner).toBe(0);
    expect(race.outcomes[1]).toBe('lost-race');
    expect(race.texts[1]!.length).toBeLessThan(both.texts[1]!.length);
  });

  it('user cancel aborts both lanes', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 30);
    const r = await runPattern('concurrent', two(), { signal: c.signal });
    expect(r.outcomes).toEqual(['cancelled', 'cancelled']);
  });
});

describe('lesson 1.0 labs', () => {
  it('async-streams: runs, stops early, and ticks 1.0.a after a good prediction', async () => {
    const host = fakeHost();
    const state = reactive({ ...asyncMeta.defaults(), fastMs: 20, slowMs: 30 });
    const { default: C } = await asyncMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready');
    const run = r.getByRole('button', { name: 'Run both calls' });
    await fireEvent.click(run);
    const result = await until(() => r.container.querySelector('[data-testid="async-result"]'));
    const ms = Number(/Measured total: (\d+)/.exec(result.textContent ?? '')![1]);
    expect(ms).toBeGreaterThan(300); // B: 150 ms latency + 17 words × 30 ms
    // Concurrent: the schedule is the slower lane; the clock can only run later than the timers ask.
    const scheduled = Number(/(\d+)/.exec(r.getByTestId('async-scheduled').textContent!)![1]);
    expect(scheduled).toBe(150 + 17 * 30);
    expect(ms).toBeGreaterThanOrEqual(scheduled - 5);
    state.pattern = 'timeout';
    state.timeoutMs = 200;
    await until(() => run.getAttribute('aria-disabled') === 'false');
    const predict = r.getByLabelText(/Your prediction/);
    await fireEvent.input(predict, { target: { value: '200' } });
    expect(state.prediction).toBe(200); // shareable: kept in the lab's state
    await fireEvent.click(run);
    await until(() => host.completed.length > 0, 10_000, '1.0.a');
    expect(host.completed[0]!.taskId).toBe('1.0.a');
    expect(r.container.textContent).toContain('timed out');
  });

  it('python-refresher: all answers correct ticks 1.0.a', async () => {
    const host = fakeHost();
    const state = reactive(pyMeta.defaults());
    const { default: C } = await pyMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready');
    const boxes = r.getAllByRole('textbox');
    expect(boxes.length).toBe(EXERCISES.length);
    await fireEvent.input(boxes[1]!, { target: { value: '[1,4]   5' } });
    expect(r.container.querySelector('[data-exercise="slice"]')!.classList.contains('ok')).toBe(true);
    expect(host.completed).toEqual([]);
    for (let i = 0; i < EXERCISES.length; i++) await fireEvent.input(boxes[i]!, { target: { value: EXERCISES[i]!.accept[0] } });
    await until(() => host.completed.length > 0);
    expect(host.completed[0]!.taskId).toBe('1.0.a');
  });

  it('nn-playground: draws a boundary from the worker, trains, ticks 1.0.b', async () => {
    const host = fakeHost();
    const state = reactive({ ...nnMeta.defaults(), batchSize: 30 });
    const { default: C } = await nnMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', 20_000, 'ready');
    expect(r.container.querySelector('canvas')).toBeTruthy();
    const train = r.getByRole('button', { name: 'Train' });
    train.focus();
    await fireEvent.click(train);
    // the same element becomes Pause: keyboard focus stays where the learner is
    await until(() => train.textContent === 'Pause', 10_000, 'Pause');
    expect(document.activeElement).toBe(train);
    await until(() => host.completed.length > 0, 30_000, '1.0.b');
    await fireEvent.click(r.getByRole('button', { name: 'Pause' }));
    expect(document.activeElement).toBe(train);
    expect(host.completed[0]!.taskId).toBe('1.0.b');
    const stats = r.getByTestId('nn-stats').textContent!;
    expect(Number(/step (\d+)/.exec(stats)![1])).toBeGreaterThan(4);
    // Clicking a neuron shows its value and gradient.
    await fireEvent.click(r.getByRole('button', { name: 'neuron h1.1' }));
    expect(r.container.textContent).toContain('∂loss/∂z');
    r.unmount();
  });

  it('backprop-steps: forward then backward ticks 1.0.b and shows micrograd’s numbers', async () => {
    const host = fakeHost();
    const state = reactive(bpMeta.defaults());
    const { default: C } = await bpMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready');
    const fwd = r.getByRole('button', { name: /Forward step/ });
    for (let i = 0; i < 7; i++) await fireEvent.click(fwd);
    expect(r.getByTestId('bp-explain').textContent).toContain('L = d²');
    const bwd = r.getByRole('button', { name: /Backward step/ });
    for (let i = 0; i < 12; i++) await fireEvent.click(bwd);
    await until(() => host.completed.length > 0);
    expect(host.completed[0]!.taskId).toBe('1.0.b');
    // ∂L/∂w1 = 1.0 × 2(o − 1) with o = 0.7071
    expect(r.container.querySelector('[data-node="w1"] .grad')!.textContent).toContain('-0.585');
  });
});
