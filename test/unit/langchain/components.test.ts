import { describe, expect, it } from 'vitest';
import { EngineChatModel } from '../../../src/lib/langchain/chat-model';
import { RunTreeHandler } from '../../../src/lib/langchain/run-tree';
import { batchInputs, chainCode, checkInputs, fixAndRetry, jsonKeys, runChain, templateVariables, type ChainSpec } from '../../../src/lib/langchain/components';
import { CHAIN_PRESETS } from '../../../src/lib/langchain/presets';
import { LabError } from '../../../src/lib/errors';
import { haveChat, shippedChatEngine } from '../../../scripts/lib/shipped-engine';

const spec = (id: string): ChainSpec => ({ ...structuredClone(CHAIN_PRESETS.find((p) => p.id === id)!.spec), temperature: 0, maxTokens: 48, seed: 1 });

describe('chain spec checks', () => {
  it('finds template variables and rejects bad input with a next step', () => {
    expect(templateVariables('Context: {context}\nQuestion: {question} {{literal}}')).toEqual(['context', 'question']);
    expect(() => templateVariables('Hi {my var}')).toThrow(LabError);
    const s = spec('qa');
    const missing = { ...s, vars: { context: 'x' } };
    expect(() => checkInputs(missing)).toThrow(/uses \{question\}, but no value/);
    const empty = { ...s, vars: { context: 'x', question: '  ' } };
    try {
      checkInputs(empty);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabError);
      expect((e as LabError).code).toBe('bad-input');
      expect((e as LabError).message).toMatch(/\{question\} is empty/);
      expect((e as LabError).hint).toBeTruthy();
    }
    expect(batchInputs(s).map((i) => i.question)).toHaveLength(3);
    expect(jsonKeys(spec('valibot').template)).toEqual([{ key: 'name', type: 'string' }, { key: 'age', type: 'number' }]);
  });

  it('shows the same chain as TypeScript and Python', () => {
    const { ts, py } = chainCode(spec('valibot'));
    expect(ts).toContain('prompt.pipe(model).pipe(parser)');
    expect(ts).toContain('v.strictObject({ name: v.string(), age: v.number() })');
    expect(py).toContain('chain = prompt | model | parser');
    expect(py).toContain('age: float');
  });
});

describe.skipIf(!haveChat)('every preset runs on the shipped TinyLM chat model', () => {
  const model = new EngineChatModel({ engine: shippedChatEngine() });

  it('QA, JSON, valibot and regex presets parse; the mismatch preset fails to parse and fix-and-retry repairs it', async () => {
    const tree = new RunTreeHandler();
    const qa = await runChain(spec('qa'), model, 'invoke', { callbacks: [tree] });
    expect(qa.results[0]).toEqual({ ok: true, value: 'Dakar' });
    const json = await runChain(spec('json'), model, 'invoke', {});
    expect(json.results[0]).toEqual({ ok: true, value: { name: 'Lena', city: 'Oslo' } });
    const vb = await runChain(spec('valibot'), model, 'invoke', {});
    expect(vb.results[0]).toEqual({ ok: true, value: { name: 'Mia', age: 23 } });
    const rx = await runChain(spec('regex'), model, 'invoke', {});
    expect(rx.results[0]).toEqual({ ok: true, value: '61' });
    const bad = await runChain(spec('mismatch'), model, 'invoke', {});
    expect(bad.results[0].ok).toBe(false);
    const fail = bad.results[0] as { ok: false; error: Error; raw?: string };
    expect(fail.raw).toBe('painter');
    const fixed = await fixAndRetry(spec('mismatch'), model, spec('mismatch').vars, fail.raw!, fail.error.message, {});
    expect(fixed.ok).toBe(true);
    expect(typeof (fixed as { value: unknown }).value).toBe('object');
  });

  it('stream joins to the invoke result and batch equals separate invokes; all within the 256-token window', async () => {
    const tree = new RunTreeHandler();
    for (const id of ['qa', 'json']) {
      const s = spec(id);
      const inv = await runChain(s, model, 'invoke', { callbacks: [tree] });
      const str = await runChain(s, model, 'stream', {});
      expect(str.results[0]).toEqual(inv.results[0]);
      expect(str.chunks).toBeGreaterThan(1);
      const b = await runChain(s, model, 'batch', { callbacks: [tree] });
      const one = [];
      for (const i of batchInputs(s)) one.push((await runChain({ ...s, vars: i }, model, 'invoke', {})).results[0]);
      expect(b.results).toEqual(one);
    }
    for (const n of tree.nodes.filter((x) => x.kind === 'llm')) expect(n.tokens!.input + n.tokens!.output).toBeLessThanOrEqual(256);
  });
});
