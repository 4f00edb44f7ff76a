import { describe, expect, it } from 'vitest';
import { Tokenizer, trainBPE } from '../../../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS, type TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { fromHFConfig, loadModel, loadSafetensors, loadTinyLM, saveModel, saveSafetensors, toHFConfig, f16ToF32 } from '../../../src/lib/tinylm/checkpoint';
import { TinyLM } from '../../../src/lib/tinylm/model';

const config: TinyLMConfig = {
  vocabSize: 300, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32,
  maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};
const specials = [...TINYLM_SPECIAL_TOKENS];
const bpe = trainBPE('the cat sat on the mat. the dog sat on the log. '.repeat(20), 300, specials);
const tok = new Tokenizer(bpe.vocab, bpe.merges, specials);

describe('checkpoint formats', () => {
  it('safetensors round-trips names, shapes, values and metadata; header is 8-byte aligned', () => {
    const m = TinyLM.init({ ...config, vocabSize: tok.vocabSize }, 3);
    const bytes = saveSafetensors(m.weights, { step: '7' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const { weights, metadata } = loadSafetensors(bytes);
    expect(metadata.step).toBe('7');
    expect([...weights.keys()]).toEqual([...m.weights.keys()]);
    for (const [k, t] of m.weights) {
      expect(weights.get(k)!.shape).toEqual(t.shape);
      expect(weights.get(k)!.data).toEqual(t.data);
    }
  });

  it('config.json uses LlamaForCausalLM names and round-trips', () => {
    const hf = toHFConfig(config);
    expect(hf.architectures).toEqual(['LlamaForCausalLM']);
    expect(hf.num_key_value_heads).toBe(1);
    expect(fromHFConfig(JSON.stringify(hf))).toEqual(config);
  });

  it('saveModel → loadModel gives the same logits and tokenizer', () => {
    const m = TinyLM.init({ ...config, vocabSize: tok.vocabSize }, 4);
    const files = saveModel(m, tok);
    const back = loadModel({ config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'] });
    const ids = tok.encode('the cat sat');
    expect(back.tokenizer.encode('the cat sat')).toEqual(ids);
    expect(back.tokenizer.encode('<|im_start|>')).toEqual([1]);
    expect(back.model.newSession().append(ids)).toEqual(m.newSession().append(ids));
  });

  it('loadTinyLM fetches the three files from a base URL', async () => {
    const m = TinyLM.init({ ...config, vocabSize: tok.vocabSize }, 5);
    const files = saveModel(m, tok);
    const seen: string[] = [];
    const fake = (async (url: string) => {
      seen.push(url);
      const name = url.split('/').pop() as keyof typeof files;
      const body = files[name];
      if (!body) return new Response('nope', { status: 404 });
      return new Response(body as BodyInit);
    }) as typeof fetch;
    const { model } = await loadTinyLM('models/x', fake);
    expect(seen.sort()).toEqual(['models/x/config.json', 'models/x/model.safetensors', 'models/x/tokenizer.json']);
    expect(model.config.dim).toBe(16);
    await expect(loadTinyLM('models/missing/', (async () => new Response('', { status: 404 })) as typeof fetch)).rejects.toThrow(/HTTP 404/);
  });

  it('reads F16 values', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x3555)).toBeCloseTo(0.33325, 4);
  });
});
