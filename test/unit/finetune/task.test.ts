/** The fine-tuning task: format checker, splits, and that the shipped chat model cannot do it yet. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTaskExamples, parseAnswer, scoreTask, TASK_SEEDS, taskTokens } from '../../../src/lib/finetune/task';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { promptIds, replyIds } from '../../../src/lib/tinylm/corpus';
import { exampleBatches } from '../../../src/lib/tinylm/finetune';

const dir = 'public/models/tinylm-chat/';
const chat = loadModel({ config: readFileSync(dir + 'config.json', 'utf8'), safetensors: readFileSync(dir + 'model.safetensors'), tokenizer: readFileSync(dir + 'tokenizer.json', 'utf8') });

describe('fine-tuning task', () => {
  it('parses only a JSON object with exactly the key "answer"', () => {
    expect(parseAnswer('{"answer": "the park"}')).toBe('the park');
    expect(parseAnswer('{"answer": 42}')).toBe('42');
    expect(parseAnswer('the park')).toBeNull();
    expect(parseAnswer('{"answer": "x", "name": "y"}')).toBeNull();
    expect(parseAnswer('{"answer": ["x"]}')).toBeNull();
    expect(parseAnswer('{"answer": "x"')).toBeNull();
  });

  it('held-out prompts differ from training prompts, and every example fits the 112-token training window', () => {
    const train = new Set(makeTaskExamples(300, TASK_SEEDS.train).map((e) => e.messages[1].content));
    const test = makeTaskExamples(50, TASK_SEEDS.test);
    expect(test.filter((e) => train.has(e.messages[1].content)).length).toBeLessThan(3);
    for (const e of test) expect(promptIds(chat.tokenizer, e).length + replyIds(chat.tokenizer, e).length).toBeLessThanOrEqual(112);
  });

  it('evaluation windows start at examples and score reply tokens only', () => {
    const data = taskTokens(chat.tokenizer, makeTaskExamples(5, 1));
    const [b] = [...exampleBatches(data, 5, 112, 1)];
    for (let r = 0; r < 5; r++) {
      expect(b.inputs[r * 112]).toBe(1); // <|im_start|>
      const n = b.targets.subarray(r * 112, (r + 1) * 112).filter((t) => t >= 0).length;
      expect(n).toBeGreaterThan(3);
      expect(n).toBeLessThan(20);
    }
  });

  it('the shipped chat model answers with the bare span, not the format (score 0 on held-out prompts)', () => {
    const s = scoreTask(chat.model, chat.tokenizer, makeTaskExamples(12, TASK_SEEDS.test));
    expect(s.format).toBe(0);
    expect(s.samples[0].got.length).toBeGreaterThan(0);
  });
});
