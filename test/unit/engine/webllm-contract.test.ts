/** The shared engine contract, run on the web-llm adapter over a test double of web-llm's engine. */
import { createWebLLMEngine } from '../../../src/lib/engine/webllm/adapter';
import { fakeHostFactory } from '../../../src/lib/engine/webllm/fake';
import { runEngineContract } from './contract';

runEngineContract(
  'web-llm adapter (test double of web-llm)',
  async () => {
    const engine = createWebLLMEngine({ factory: fakeHostFactory({ shards: 2 }), env: () => ({ online: true }) });
    await engine.load(['SmolLM2-360M-Instruct-q4f32_1-MLC', 'snowflake-arctic-embed-s-q0f32-MLC-b4']);
    return engine;
  },
  // Tools need a Hermes model in web-llm; web-llm has no public tokenizer API.
  { skip: ['tools', 'tokenize'] },
);
