import { defineLessonPart } from '../../types';
import results from '../../../lib/langchain/eval-results.json';

const md = (s: string): string => s.replaceAll('§', '`');
const m = results.memory;
type Row = { reply: string | null; recalled: boolean; maxPromptTokens: number; error?: string; errorAtTurn?: number };
const NAMES: Record<string, string> = { none: 'no memory', buffer: 'whole buffer', 'last-k': `last k = ${m.k} turns`, trim: 'token budget (trimMessages)', summary: 'running summary' };
const cell = (r: Row) => (r.error ? `overflow at turn ${r.errorAtTurn}` : `${r.recalled ? '**recalled**' : 'lost'}: “${r.reply}”`);
const table = Object.keys(NAMES)
  .map((k) => `| ${NAMES[k]} | ${cell((m.context as Record<string, Row>)[k])} (≤ ${(m.context as Record<string, Row>)[k].maxPromptTokens} tokens) | ${cell((m.messages as Record<string, Row>)[k])} (≤ ${(m.messages as Record<string, Row>)[k].maxPromptTokens} tokens) |`)
  .join('\n');

export default defineLessonPart({
  topic: '1.3',
  order: 20,
  title: 'Conversation memory: what goes back into the prompt',
  body: md(String.raw`
A chat model is **stateless**: each call sees only the messages you send. "Memory" is the code that decides
which of the earlier turns to send again. It is a trade-off between remembering and the **context window**
(lesson 1.1): TinyLM's is ${m.window} tokens, so a conversation outgrows it within a few turns.

LangChain's §RunnableWithMessageHistory§ wraps any chain: before each call it loads the session's history
into the input (§historyMessagesKey§), after it appends the new human message and the reply. *Where* the
history lives is a §BaseChatMessageHistory§ — here ours, over this app's IndexedDB (the §conversations§
table), so a conversation survives a reload. *What* of it goes into the prompt is the strategy:

- **Whole buffer** — every message. Exact, until it overflows the window; then the call fails.
- **Last k turns** — a sliding window. Bounded, but forgets anything older than k turns.
- **Token budget** — LangChain's §trimMessages§ keeps the newest messages whose tokens, counted by the
  model's own tokenizer, fit the budget: window − reply budget (§max_tokens§) − the rest of the prompt.
  Bounded *by construction*; old turns fall out only when they must.
- **Running summary** — after each turn the model rewrites a short summary of everything so far, and the
  prompt carries the summary plus the last turn. Bounded and long-lived, but lossy: the summary is only as
  good as the model writing it, and errors compound.

**What TinyLM does with memory.** TinyLM was fine-tuned on single-turn examples only, so history sent as
chat messages does not help it. The lab's **TinyLM style** renders memory in the format it *was* trained
on: what the user said earlier becomes the §Context:§ of a §Context: … Question: …§ turn. Its "summary"
is a fact sheet the model extracts with its JSON skill (§{"name", "city", "job"}§, constrained decoding)
and writes back as sentences. The scripted conversation — "${m.script[0]}", eight turns of small talk,
then "${m.script[m.script.length - 1]}" — measured on TinyLM (greedy, §max_tokens§ ${m.maxTokens};
§npm run langchain:eval§):

| memory | TinyLM style (memory as context) | chat style (history as messages) |
|---|---|---|
${table}

Read it twice. With the right format, any memory that keeps turn 1 lets a 0.4 M-parameter model answer,
and forgetting (no memory, last k) loses the fact. In chat style the whole buffer overflows the window
before the question is asked — the failure every production chatbot must handle — while the bounded
strategies stay inside it yet do not help a model never trained on multi-turn chat. Watch the summary
column in the lab: the fact sheet drifts (a later turn's name replaces Mosan's, a job is invented), the
classic failure of summary memory; it still answers here because the only city in it is Dakar.
A unit test drives 30 turns through the trimming, last-k and summary strategies and checks that no
prompt plus its reply budget exceeds the ${m.window}-token window.
`),
  labs: ['lc-memory'],
  quiz: [
    {
      question: 'Which memory strategy guarantees the prompt fits the context window, whatever the conversation length, while keeping as many recent turns as fit?',
      choices: ['Token-budget trimming', 'Whole buffer', 'Last k turns', 'No memory'],
      answer: 0,
      explanation: 'trimMessages counts tokens with the model’s tokenizer and keeps the newest messages that fit the budget; last-k is bounded only if turns are short, and the buffer grows without limit.',
    },
    {
      question: 'Why does a running summary sometimes make the model “remember” something that was never said?',
      choices: ['The model writes the summary and can add or change facts, and later turns trust it', 'IndexedDB corrupts long strings', 'The tokenizer merges words', 'Summaries are always longer than the history'],
      answer: 0,
      explanation: 'Summary memory is model output fed back as input: mistakes in it compound over turns. Keeping recent turns verbatim next to the summary limits the damage.',
    },
  ],
  resources: [
    { title: 'LangChain.js — chat history and RunnableWithMessageHistory', url: 'https://js.langchain.com/docs/how_to/message_history/' },
    { title: 'LangChain.js — trimming messages', url: 'https://js.langchain.com/docs/how_to/trim_messages/' },
  ],
});
