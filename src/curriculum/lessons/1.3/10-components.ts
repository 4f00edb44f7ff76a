import { defineLessonPart } from '../../types';
import results from '../../../lib/langchain/eval-results.json';

/** '§' stands for a backtick (a backtick would end the String.raw template). */
const md = (s: string): string => s.replaceAll('§', '`');
const c = results.components;

export default defineLessonPart({
  topic: '1.3',
  order: 10,
  title: 'LangChain components: prompt template, model, output parser',
  body: md(String.raw`
A framework such as **LangChain** does not make a model smarter. It gives the pieces you have already
built by hand in lessons 1.1–1.4 — a prompt with slots, a call to a model, code that turns the reply into
data — one shared shape, so they can be swapped, composed, streamed, batched and traced the same way.
This lesson uses the real library, **LangChain.js** (§@langchain/core§), loaded only on this page, driving
whichever model is current: TinyLM on your CPU, a web-llm model on your GPU, or your own server.

**Everything is a Runnable.** A prompt template, a chat model, an output parser, a retriever, a plain
function: each has the same methods — §invoke(input)§, §stream(input)§ (pieces as they are produced),
§batch(inputs)§ (many inputs, run concurrently) — and §a.pipe(b)§ (Python: §a | b§) makes a new Runnable
that feeds §a§'s output to §b§. This composition language is **LCEL** (LangChain Expression Language):

§§§ts
const chain = prompt.pipe(model).pipe(parser);   // Python: chain = prompt | model | parser
const answer = await chain.invoke({ context, question });
§§§

The three core components of task 1.3.a:

| component | input → output | here |
|---|---|---|
| **Prompt template** | variables → a prompt (a string, or a list of chat messages) | §PromptTemplate.fromTemplate("… {question}")§, §ChatPromptTemplate.fromMessages([["system", …], ["human", …]])§ |
| **Chat model** | messages → an AI message (text, tool calls, token usage) | our §EngineChatModel§: a §BaseChatModel§ over the lab's engine interface, so any backend plugs in |
| **Output parser** | the AI message → data | §StringOutputParser§, §JsonOutputParser§, §StandardSchemaOutputParser§ (any "standard schema" validator: valibot here, Zod in most tutorials), or any function |

A parser is where a chain can fail *after* the model answered. The lab's last preset asks a QA question and
parses the answer as JSON: TinyLM (greedy) replies ${JSON.stringify(c.mismatch.raw)}, the parser throws, and
the **fix-and-retry** step sends the model its reply and the parser's error — and, for JSON and schema
parsers, turns on constrained decoding (lesson 1.2), which is what lets a 0.4 M-parameter model succeed.
The other presets are measured on TinyLM too (§npm run langchain:eval§): context QA →
${JSON.stringify(c.qa.value)}, extraction → §${JSON.stringify(c.json.value)}§, the valibot schema →
§${JSON.stringify(c.valibot.value)}§, your own pattern → ${JSON.stringify(c.regex.value)}.

**Callbacks and the run tree.** Every Runnable reports start, end, error and (for models) each streamed
token to **callback handlers** passed in the config (§chain.invoke(input, { callbacks: [handler] })§).
LangSmith and Langfuse are such handlers that ship the events to a server; the lab's handler
(§RunTreeHandler§, ours) keeps them in the page and draws the tree: each runnable's input, output, time,
and for the model the prompt and completion tokens. That tree is the first thing to open when a chain
misbehaves.

**Python.** Most production LangChain is Python; the lab prints the same chain in both languages. The
concepts map one to one (§.pipe§ ↔ §|§, §invoke§/§stream§/§batch§ in both, §ChatOpenAI(base_url=…)§ for
any OpenAI-compatible server — the remote tier of this app).
`),
  labs: ['lc-components'],
  quiz: [
    {
      question: 'In LCEL, what does `prompt.pipe(model).pipe(parser)` return?',
      choices: ['A new Runnable whose invoke/stream/batch run the three in sequence', 'The model’s reply', 'A Python function', 'A prompt string'],
      answer: 0,
      explanation: 'Piping composes Runnables into a RunnableSequence, itself a Runnable with the same methods; nothing runs until you invoke, stream or batch it.',
    },
    {
      question: 'The model replied “painter” and a JsonOutputParser threw. Which fix does not depend on the model following instructions?',
      choices: ['Retry with constrained decoding to a JSON schema', 'Retry with the error message in the prompt', 'Raise the temperature', 'Switch to a string template'],
      answer: 0,
      explanation: 'Constrained decoding masks every token that would break the JSON grammar, so the reply parses whatever the model’s quality; re-prompting only helps a model that can act on the error.',
    },
  ],
  resources: [
    { title: 'LangChain.js — LCEL and Runnables', url: 'https://js.langchain.com/docs/concepts/lcel/' },
    { title: 'LangChain.js — output parsers', url: 'https://js.langchain.com/docs/concepts/output_parsers/' },
    { title: 'LangChain.js — callbacks', url: 'https://js.langchain.com/docs/concepts/callbacks/' },
    { title: 'Standard Schema (valibot, Zod, ArkType share one interface)', url: 'https://standardschema.dev/' },
  ],
});
