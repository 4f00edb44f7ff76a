import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  bytesToTokenString,
  exportGGUF,
  GGMLType,
  ggufTensorToFloat32,
  gv,
  importGGUF,
  permuteRotaryRows,
  readGGUF,
  writeGGUF,
  type GGUFValue,
} from '../../../src/lib/tinylm/gguf';
import { fakeQuantize } from '../../../src/lib/tinylm/quant';
import { tinyConfig, tinyTokenizer, tinyWeights } from '../../fixtures/gguf/tiny';

const fixture = (name: string) => new URL(`../../fixtures/gguf/${name}`, import.meta.url);
/** ggml's own Python reader's view of the committed tiny-*.gguf files (dump_gguf.py). */
const expected = JSON.parse(readFileSync(fixture('tiny-expected.json'), 'utf8'));
const TYPES = ['f32', 'f16', 'q8_0', 'q4_0'] as const;

describe('writeGGUF byte layout', () => {
  it('writes header, one u32 key, one tensor info, aligned data (hand-checked bytes)', () => {
    const data = new Uint8Array(new Float32Array([1, -2]).buffer);
    const bytes = writeGGUF([['a', gv.u32(7)]], [{ name: 't', shape: [2], type: GGMLType.F32, data }]);
    const hex = Buffer.from(bytes).toString('hex');
    const expectedHex =
      '47475546' + '03000000' + '0100000000000000' + '0100000000000000' + // magic, v3, 1 tensor, 1 kv
      '0100000000000000' + '61' + '04000000' + '07000000' + // key "a", UINT32, 7
      '0100000000000000' + '74' + '01000000' + '0200000000000000' + '00000000' + '0000000000000000' + // "t", 1 dim, ne 2, F32, offset 0
      '00'.repeat(96 - 74) + // pad the 74-byte header to 32
      '0000803f' + '000000c0' + '00'.repeat(128 - 104); // 1.0, -2.0, pad
    expect(hex).toBe(expectedHex);
    const back = readGGUF(bytes);
    expect(back.dataOffset).toBe(96);
    expect(back.metadata.get('a')).toEqual({ type: 4, value: 7 });
    expect(Array.from(ggufTensorToFloat32(back.tensors[0]))).toEqual([1, -2]);
  });

  it('round-trips every scalar type, strings, bools and arrays', () => {
    const meta: Array<[string, GGUFValue]> = [
      ['u8', { type: 0, value: 255 }], ['i8', { type: 1, value: -128 }], ['u16', { type: 2, value: 65535 }],
      ['i16', { type: 3, value: -32768 }], ['u32', gv.u32(4294967295)], ['i32', gv.i32(-5)], ['f32', gv.f32(0.5)],
      ['bool', gv.bool(true)], ['str', gv.str('héllo ✓')], ['u64', { type: 10, value: 2 ** 40 }],
      ['i64', { type: 11, value: -(2 ** 40) }], ['f64', { type: 12, value: Math.PI }],
      ['arr', gv.strings(['a', '', 'Ġthe'])], ['arr2', gv.i32s([1, -2, 3])],
    ];
    const back = readGGUF(writeGGUF(meta, []));
    expect([...back.metadata.entries()]).toEqual(meta);
  });

  it('rejects a bad magic, a truncated file and a mis-sized tensor', () => {
    const ok = readFileSync(fixture('tiny-f32.gguf'));
    const bad = new Uint8Array(ok);
    bad[0] = 0x58;
    expect(() => readGGUF(bad)).toThrow(/magic/);
    expect(() => readGGUF(new Uint8Array(ok).subarray(0, ok.length - 100))).toThrow(RangeError);
    expect(() => writeGGUF([], [{ name: 'x', shape: [3], type: GGMLType.F32, data: new Uint8Array(8) }])).toThrow(RangeError);
  });
});

describe('exportGGUF', () => {
  it('is byte-identical to the committed tiny-*.gguf goldens', () => {
    for (const type of TYPES) {
      const bytes = exportGGUF(tinyConfig, tinyWeights(), tinyTokenizer(), type, 'tiny');
      expect(Buffer.compare(Buffer.from(bytes), readFileSync(fixture(`tiny-${type}.gguf`))), type).toBe(0);
    }
  });

  it.each(TYPES)('%s: our reader agrees with ggml’s Python reader on metadata and tensors', (type) => {
    const file = readGGUF(new Uint8Array(readFileSync(fixture(`tiny-${type}.gguf`))));
    const ref = expected[type];
    expect([...file.metadata.keys()]).toEqual(Object.keys(ref.metadata));
    for (const [key, v] of file.metadata) {
      const r = ref.metadata[key];
      expect(v.type, key).toBe(r.types[0]);
      if (v.type === 9) expect(v.itemType, key).toBe(r.types[1]);
      expect(v.value, key).toEqual(r.value);
    }
    expect(file.tensors.map((t) => t.name)).toEqual(ref.tensors.map((t: { name: string }) => t.name));
    file.tensors.forEach((t, i) => {
      const r = ref.tensors[i];
      expect([t.ne, t.type, file.dataOffset + t.offset], t.name).toEqual([r.ne, r.type, r.offset]);
      const x = ggufTensorToFloat32(t);
      let sum = 0, wsum = 0;
      x.forEach((v, j) => ((sum += v), (wsum += v * (j + 1))));
      expect(sum).toBeCloseTo(r.sum, 9);
      expect(wsum).toBeCloseTo(r.wsum, 7);
      expect(Array.from(x.subarray(0, 4))).toEqual(r.head);
    });
  });

  it('writes llama.cpp metadata with strict types and the GPT-2 byte-level vocabulary', () => {
    const file = readGGUF(exportGGUF(tinyConfig, tinyWeights(), tinyTokenizer(), 'q8_0'));
    const m = (k: string) => file.metadata.get(k)!;
    for (const k of ['context_length', 'embedding_length', 'block_count', 'feed_forward_length',
      'attention.head_count', 'attention.head_count_kv']) {
      expect(m(`llama.${k}`).type, k).toBe(4); // UINT32
    }
    expect(m('llama.attention.layer_norm_rms_epsilon')).toEqual({ type: 6, value: Math.fround(1e-5) });
    expect(m('llama.rope.freq_base')).toEqual({ type: 6, value: 10000 });
    expect(m('general.architecture').value).toBe('llama');
    expect(m('general.file_type').value).toBe(7); // LLAMA_FTYPE_MOSTLY_Q8_0
    expect(m('tokenizer.ggml.add_bos_token')).toEqual({ type: 7, value: false });
    expect(m('tokenizer.ggml.pre').value).toBe('gpt-2');
    const tokens = m('tokenizer.ggml.tokens').value as string[];
    expect(tokens.length).toBe(tinyConfig.vocabSize);
    expect(tokens.slice(0, 5)).toEqual(['<|endoftext|>', '<|im_start|>', '<|im_end|>', 'Ġ', 'Ċ']);
    expect(tokens[37]).toBe('Ġthe');
    expect(m('tokenizer.ggml.token_type').value).toEqual([3, 3, 3, ...Array(35).fill(1), 5, 5]);
    expect(m('tokenizer.ggml.merges').value).toEqual(['t h', 'th e', 'Ġ the']);
    expect(m('tokenizer.ggml.eos_token_id').value).toBe(0);
    expect(m('tokenizer.ggml.eot_token_id').value).toBe(2);
  });

  it('stores norms in F32, quantizes 2-D weights with rows of 32k values, F16 otherwise', () => {
    const file = readGGUF(exportGGUF(tinyConfig, tinyWeights(), tinyTokenizer(), 'q4_0'));
    const types = Object.fromEntries(file.tensors.map((t) => [t.name, t.type]));
    expect(types['blk.0.attn_norm.weight']).toBe(GGMLType.F32);
    expect(types['output_norm.weight']).toBe(GGMLType.F32);
    expect(types['blk.0.attn_q.weight']).toBe(GGMLType.Q4_0);
    expect(types['token_embd.weight']).toBe(GGMLType.Q4_0);
    expect(types['blk.0.ffn_down.weight']).toBe(GGMLType.F16); // rows of 48
    const byName = Object.fromEntries(file.tensors.map((t) => [t.name, t]));
    expect(byName['token_embd.weight'].ne).toEqual([32, 40]); // ne = reversed row-major shape
    expect(byName['blk.0.ffn_down.weight'].ne).toEqual([48, 32]);
    expect(byName['blk.0.attn_k.weight'].ne).toEqual([32, 16]);
    expect(file.tensors.every((t) => (file.dataOffset + t.offset) % 32 === 0)).toBe(true);
  });

  it('round-trips weights: exact in F32 (after undoing the Q/K permutation), within quantization error otherwise', () => {
    const w = tinyWeights();
    const names: Record<string, string> = {
      'token_embd.weight': 'model.embed_tokens.weight',
      'blk.0.attn_v.weight': 'model.layers.0.self_attn.v_proj.weight',
      'blk.0.ffn_gate.weight': 'model.layers.0.mlp.gate_proj.weight',
      'blk.0.ffn_norm.weight': 'model.layers.0.post_attention_layernorm.weight',
      'output.weight': 'lm_head.weight',
    };
    for (const type of TYPES) {
      const file = readGGUF(exportGGUF(tinyConfig, w, tinyTokenizer(), type));
      expect(file.tensors.length).toBe(12);
      for (const t of file.tensors) {
        const hf = names[t.name];
        if (!hf) continue;
        const src = w.get(hf)!.data;
        const st = t.type === GGMLType.F32 ? 'f32' : type;
        expect(Array.from(ggufTensorToFloat32(t)), `${type} ${t.name}`).toEqual(Array.from(fakeQuantize(st, src)));
      }
      const q = file.tensors.find((t) => t.name === 'blk.0.attn_q.weight')!;
      const qPerm = permuteRotaryRows(w.get('model.layers.0.self_attn.q_proj.weight')!.data, 2, 32);
      expect(Array.from(ggufTensorToFloat32(q))).toEqual(Array.from(fakeQuantize(type, qPerm)));
    }
  });

  it('omits output.weight when embeddings are tied (llama.cpp reuses token_embd)', () => {
    const w = tinyWeights();
    w.delete('lm_head.weight');
    const file = readGGUF(exportGGUF({ ...tinyConfig, tieEmbeddings: true }, w, tinyTokenizer(), 'f16'));
    expect(file.tensors.map((t) => t.name)).not.toContain('output.weight');
    expect(file.tensors.length).toBe(11);
  });
});

describe('importGGUF', () => {
  it('is the inverse of exportGGUF: same config, F32 weights bit for bit', () => {
    const w = tinyWeights();
    const back = importGGUF(exportGGUF(tinyConfig, w, tinyTokenizer(), 'f32'));
    expect(back.config).toEqual({ ...tinyConfig, normEps: Math.fround(1e-5) });
    expect([...back.weights.keys()].sort()).toEqual([...w.keys()].sort());
    for (const [name, t] of w) {
      expect(back.weights.get(name)!.shape, name).toEqual(t.shape);
      expect(Buffer.from(back.weights.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), name).toBe(true);
    }
    expect(back.tokens[37]).toBe('Ġthe');
  });
  it('gives the dequantized weights of a Q4_0 file', () => {
    const w = tinyWeights();
    const back = importGGUF(exportGGUF(tinyConfig, w, tinyTokenizer(), 'q4_0'));
    const name = 'model.layers.0.self_attn.k_proj.weight';
    expect(Array.from(back.weights.get(name)!.data)).toEqual(Array.from(fakeQuantize('q4_0', w.get(name)!.data)));
  });
});

describe('rotary permutation', () => {
  it('matches convert_hf_to_gguf.py permute (reshape(n_head, 2, d/2, in).swapaxes(1, 2))', () => {
    const { rows, cols, heads, result } = expected.permute;
    const idx = Float32Array.from({ length: rows * cols }, (_, i) => i);
    expect(Array.from(permuteRotaryRows(idx, heads, cols))).toEqual(result);
  });
  it('maps GPT-2 bytes to printable characters', () => {
    expect(bytesToTokenString(new TextEncoder().encode(' héllo\n'))).toBe('ĠhÃ©lloĊ');
  });
});
