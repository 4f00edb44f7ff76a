import { describe, expect, it } from 'vitest';
import { RNG } from '../../../src/lib/tinylm/rng';
import { instructExample, makeInstruct, makeStories, renderChatML, renderToolsPrompt, TOOLS } from '../../../src/lib/tinylm/corpus';
import { normalizeAnswer, parseToolCall } from '../../../src/lib/tinylm/eval';

describe('corpus', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    expect(makeStories(5, 1)).toEqual(makeStories(5, 1));
    expect(makeStories(5, 1)).not.toEqual(makeStories(5, 2));
    expect(makeInstruct(20, 3)).toEqual(makeInstruct(20, 3));
  });

  it('renders ChatML and keeps QA answers copyable from the context', () => {
    const rng = new RNG(9);
    for (let i = 0; i < 50; i++) {
      const ex = instructExample(rng, 'qa');
      const answer = ex.messages.at(-1)!.content;
      expect(ex.messages.at(-2)!.content).toContain(answer);
      expect(renderChatML(ex.messages)).toMatch(/^<\|im_start\|>(system|user)\n[\s\S]*<\|im_end\|>\n$/);
    }
  });

  it('JSON answers parse and tool calls are well-formed', () => {
    const rng = new RNG(10);
    for (let i = 0; i < 50; i++) {
      expect(() => JSON.parse(instructExample(rng, 'json').messages.at(-1)!.content)).not.toThrow();
      const t = instructExample(rng, 'tool');
      if (t.skill === 'tool') expect(parseToolCall(t.messages.at(-1)!.content)).not.toBeNull();
    }
    expect(renderToolsPrompt(TOOLS.slice(2, 3))).toContain('- add_numbers(a: number, b: number): Add two numbers.');
  });
});

describe('eval helpers', () => {
  it('normalises answers SQuAD-style', () => {
    expect(normalizeAnswer('The Park.')).toBe('park');
    expect(normalizeAnswer(' Lily ')).toBe('lily');
  });
  it('parses tool calls strictly', () => {
    expect(parseToolCall('<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>')).toEqual({ name: 'f', arguments: { x: 1 } });
    expect(parseToolCall('<tool_call>{"name": "f"}</tool_call>')).toBeNull();
    expect(parseToolCall('{"name": "f", "arguments": {}}')).toBeNull();
  });
});

describe('generateIds', () => {
  it('greedy decoding with the KV cache equals argmax over full recomputation, and stops on a stop id', async () => {
    const { TinyLM } = await import('../../../src/lib/tinylm/model');
    const { generateIds, argmax } = await import('../../../src/lib/tinylm/eval');
    const cfg = { vocabSize: 20, dim: 16, nLayers: 2, nHeads: 2, nKvHeads: 1, ffnDim: 32, maxSeqLen: 32, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: false };
    const m = TinyLM.init(cfg, 8);
    for (const t of m.weights.values()) for (let i = 0; i < t.data.length; i++) if (t.shape.length === 2) t.data[i] *= 30;
    const prompt = [3, 4, 5];
    const out = generateIds(m, prompt, { maxTokens: 8 });
    const seq = [...prompt];
    for (let i = 0; i < 8; i++) {
      const logits = m.forward(seq, 1, seq.length, { noGrad: true }).data;
      seq.push(argmax(logits.subarray((seq.length - 1) * 20)));
    }
    expect(out).toEqual(seq.slice(3));
    const stopAt = out[2];
    const stopped = generateIds(m, prompt, { maxTokens: 8, stopIds: [stopAt] });
    expect(stopped).toEqual(out.slice(0, out.indexOf(stopAt)));
  });
});
