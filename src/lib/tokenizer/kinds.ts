/** The tokenizers the lab compares (tiny on purpose: the lab's meta.ts imports it eagerly). */
export const TOKENIZER_KINDS = ['trained', 'tinylm', 'r50k', 'cl100k', 'o200k'] as const;
export type TokenizerKind = (typeof TOKENIZER_KINDS)[number];

export const KIND_LABELS: Record<TokenizerKind, string> = {
  trained: 'Your BPE (trained here)',
  tinylm: 'TinyLM (built-in model)',
  r50k: 'GPT-2 (r50k_base)',
  cl100k: 'GPT-4 (cl100k_base)',
  o200k: 'GPT-4o (o200k_base)',
};
