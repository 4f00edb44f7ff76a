/**
 * Byte-level BPE tokenizer: training (CS336 conventions), encoding/decoding (tiktoken-exact with
 * GPT-2's vocabulary), streaming, and the GPT-2 / Hugging Face file formats.
 *
 *   const { vocab, merges } = trainBPE(text, 500, ['<|endoftext|>']);
 *   const tok = new Tokenizer(vocab, merges, ['<|endoftext|>']);
 *   tok.encode('hello world'); tok.decode(ids); JSON.stringify(tok.toHFJson());
 */
export { Tokenizer, StreamingDecoder, type AllowedSpecial, type EncodeOptions } from './tokenizer';
export { trainBPE, trainBPEAsync, BPETrainer, type BPEModel, type MergeStep, type TrainOptions, type TrainProgress, type TrainResult } from './train';
export { fromGPT2Files, fromHFJson, toGPT2Files, toHFJson, UnsupportedTokenizerError, type HFTokenizerJson, type TokenizerParts } from './formats';
export { GPT2_SPLIT_PATTERN, GPT2_SPLIT_PATTERN_JS, gpt2SplitRegex, pretokenize, scanPretokens, specialsRegex, splitOnSpecials, type Segment } from './pretokenize';
export { byteLevelToBytes, byteToUnicode, bytesToByteLevel, compareBytes, isValidUtf8, utf8, utf8Decode } from './bytes';
