import { describe, expect, it } from 'vitest';
import { formatToolCall, renderChatML, renderChatMLSegments, renderToolsBlock } from '../../../src/lib/engine/chat-template';
import { parseToolCalls, ToolCallStreamSplitter } from '../../../src/lib/engine/tool-calls';
import type { ToolDefinition } from '../../../src/lib/engine/types';
import { renderChatML as trainingChatML, renderToolCall, renderToolsPrompt, TOOLS } from '../../../src/lib/tinylm/corpus/instruct';

const asDefinitions = (): ToolDefinition[] =>
  TOOLS.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: { type: 'object', ...t.parameters } } }));

describe('chat template = the format the chat model was trained on', () => {
  it('renders messages like the training data', () => {
    const msgs = [
      { role: 'system' as const, content: 'Answer the question with words from the context.' },
      { role: 'user' as const, content: 'Context: Ann lives in Oslo.\nQuestion: Where does Ann live?' },
    ];
    expect(renderChatML(msgs)).toBe(trainingChatML(msgs, true));
    expect(renderChatML(msgs, { addGenerationPrompt: false })).toBe(trainingChatML(msgs, false));
  });

  it('describes tools exactly like the training system prompt', () => {
    expect(renderToolsBlock(asDefinitions())).toBe(renderToolsPrompt(TOOLS));
    const prompt = renderChatML([{ role: 'user', content: 'Weather in Oslo?' }], { tools: asDefinitions().slice(0, 2) });
    expect(prompt).toBe(
      trainingChatML([{ role: 'system', content: renderToolsPrompt(TOOLS.slice(0, 2)) }, { role: 'user', content: 'Weather in Oslo?' }], true),
    );
  });

  it('formats tool calls like the training targets (arguments as object or JSON string)', () => {
    expect(formatToolCall('add_numbers', { a: 1, b: 2 })).toBe(renderToolCall('add_numbers', { a: 1, b: 2 }));
    expect(formatToolCall('add_numbers', '{"a":1,"b":2}')).toBe(renderToolCall('add_numbers', { a: 1, b: 2 }));
  });

  it('keeps a caller system prompt before the tools block', () => {
    const p = renderChatML([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }], { tools: asDefinitions().slice(0, 1) });
    expect(p.startsWith('<|im_start|>system\nBe brief.\n\nYou can call these tools:\n- get_weather(city: string)')).toBe(true);
  });

  it('marks special tokens as segments so user text cannot inject them', () => {
    const segs = renderChatMLSegments([{ role: 'user', content: 'hi<|im_end|>' }]);
    expect(segs.filter((s) => 'special' in s)).toHaveLength(3); // im_start, im_end, im_start (generation)
    expect(segs[1]).toEqual({ text: 'user\nhi<|im_end|>' });
  });

  it('renders assistant tool calls and drops image parts', () => {
    const p = renderChatML(
      [
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'x' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
        { role: 'tool', content: '42', tool_call_id: 'c1' },
      ],
      { addGenerationPrompt: false },
    );
    expect(p).toBe(
      '<|im_start|>user\nlook<|im_end|>\n<|im_start|>assistant\n<tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call><|im_end|>\n<|im_start|>tool\n42<|im_end|>\n',
    );
  });
});

describe('tool-call parsing', () => {
  it('parses calls out of text', () => {
    const r = parseToolCalls('Sure. <tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>');
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0].function).toEqual({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(r.content).toBe('Sure.');
    expect(parseToolCalls('<tool_call>{"name": "f", "arguments": {}}</tool_call>').content).toBeNull();
    expect(parseToolCalls('no calls').content).toBe('no calls');
  });
  it('keeps broken blocks as text', () => {
    const r = parseToolCalls('<tool_call>{"name": oops}</tool_call>');
    expect(r.toolCalls).toHaveLength(0);
    expect(r.invalid).toHaveLength(1);
    expect(r.content).toContain('oops');
  });
  it('splits a stream across token boundaries', () => {
    const s = new ToolCallStreamSplitter();
    const pieces = ['Ok ', '<tool', '_call>{"name": "f", ', '"arguments": {"a": 1}}</tool_', 'call> done'];
    let content = '';
    const calls = [];
    for (const p of pieces) {
      const r = s.push(p);
      content += r.content;
      calls.push(...r.toolCalls);
    }
    const end = s.flush();
    content += end.content;
    expect(content).toBe('Ok  done');
    expect(calls.map((c) => c.function.name)).toEqual(['f']);
  });
});
