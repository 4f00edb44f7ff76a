/**
 * The TinyLM training corpus: seeded stories and instruction examples, turned into token streams
 * (`TokenData`) for the trainer. Instruction examples are trained only on the assistant's reply
 * (prompt tokens are masked out) and windows start at example boundaries.
 */
import type { Tokenizer } from '../../tokenizer';
import { RNG } from '../rng';
import type { TokenData } from '../train';
import { story } from './stories';
import { type ChatExample, instructExample, renderChatML } from './instruct';

export * from './stories';
export * from './instruct';

/** Seeds of the corpus splits (held-out splits never overlap the training ones). */
export const CORPUS_SEEDS = { trainStories: 1001, valStories: 2002, trainInstruct: 3003, valInstruct: 4004, tokenizer: 5005, trainCopy: 6006 } as const;

/** `n` stories from a seed. */
export function makeStories(n: number, seed: number): string[] {
  const rng = new RNG(seed);
  return Array.from({ length: n }, () => story(rng));
}

/** `n` instruction examples from a seed (training mix, or one skill). */
export function makeInstruct(n: number, seed: number, skill?: ChatExample['skill']): ChatExample[] {
  const rng = new RNG(seed);
  return Array.from({ length: n }, () => instructExample(rng, skill));
}

/** Text used to train the shared tokenizer: stories and instruction examples. */
export function tokenizerText(): string {
  const s = makeStories(1500, CORPUS_SEEDS.tokenizer);
  const ins = makeInstruct(1500, CORPUS_SEEDS.tokenizer + 1).map((e) => renderChatML(e.messages));
  return [...s, ...ins].join('<|endoftext|>');
}

/** Stories joined by <|endoftext|> (id 0) into one stream; every token is a target. */
export function storiesToTokens(tok: Tokenizer, stories: string[]): TokenData {
  const parts: number[] = [];
  const starts: number[] = [];
  for (const s of stories) {
    starts.push(parts.length);
    for (const id of tok.encode(s, { allowedSpecial: [] })) parts.push(id);
    parts.push(0);
  }
  return { tokens: Int32Array.from(parts), starts: Int32Array.from(starts) };
}

/** Prompt ids of a chat example (everything up to and including "<|im_start|>assistant\n"). */
export function promptIds(tok: Tokenizer, ex: ChatExample): number[] {
  return tok.encode(renderChatML(ex.messages.slice(0, -1), true));
}

/** The reply's ids, ending with <|im_end|>. */
export function replyIds(tok: Tokenizer, ex: ChatExample): number[] {
  return [...tok.encode(ex.messages[ex.messages.length - 1].content, { allowedSpecial: [] }), 2];
}

/**
 * Instruction examples (and optionally stories, to keep the base skill) packed into one stream;
 * only reply tokens (and story tokens) are targets; windows start at example starts.
 */
export function chatToTokens(tok: Tokenizer, examples: ChatExample[], stories: string[] = []): TokenData {
  const ids: number[] = [];
  const mask: number[] = [];
  const starts: number[] = [];
  const items: (ChatExample | string)[] = [...examples, ...stories];
  // Interleave deterministically so stories are spread through the stream.
  const rng = new RNG(examples.length * 31 + stories.length);
  rng.shuffle(items);
  for (const it of items) {
    starts.push(ids.length);
    if (typeof it === 'string') {
      for (const id of tok.encode(it, { allowedSpecial: [] })) ids.push(id), mask.push(1);
      ids.push(0), mask.push(1);
      continue;
    }
    for (const id of promptIds(tok, it)) ids.push(id), mask.push(0);
    for (const id of replyIds(tok, it)) ids.push(id), mask.push(1);
    ids.push(tok.encode('\n')[0], 0), mask.push(0, 0);
  }
  return { tokens: Int32Array.from(ids), mask: Uint8Array.from(mask), starts: Int32Array.from(starts) };
}
