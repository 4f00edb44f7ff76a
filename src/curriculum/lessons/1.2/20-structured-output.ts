import { defineLessonPart } from '../../types';

/** '§' stands for a backtick (a backtick would end the String.raw template). */
const md = (s: string): string => s.replaceAll('§', '`');

export default defineLessonPart({
  topic: '1.2',
  order: 20,
  title: 'Reliable structured output: schemas, constrained decoding, validate and retry',
  body: md(String.raw`
Programs need data, not prose. When a model's reply feeds code — an extracted record, a label, a tool
call — it must be **valid JSON of a known shape**. Asking politely ("reply in JSON") works most of the
time with a good model, which is not good enough for a program. Three techniques make it reliable.

**1. A schema.** Describe the shape once, as a JSON Schema: types, required fields, enums, ranges.
In Python the usual tool is a Pydantic model (§class Person(BaseModel): name: str; birth_year: int§),
which *generates* the JSON Schema and *validates* parsed data against it. The TypeScript equivalent
here is a JSON Schema plus a validator — this app uses §@cfworker/json-schema§, which interprets the
schema rather than compiling it to JavaScript, so it runs under a strict Content-Security-Policy.
The lab also shows the TypeScript type a schema describes — what your code holds once a reply
has passed validation (libraries such as Zod or TypeBox give you both from one definition).

**2. Parse → validate → re-prompt (the retry loop).** Extract the JSON from the reply (models wrap it in
prose or code fences), validate it, and on failure send the model its own reply plus the *exact error*
("/birthYear: expected integer, got string") and ask again, up to N attempts:

§§§ts
for (let attempt = 1; attempt <= maxAttempts; attempt++) {
  const reply = await engine.chat.completions.create({ messages, seed: seed + attempt });
  const json = extractJson(reply);              // whole reply, a code fence, or a balanced {…}
  const issues = json.ok ? validate(json.value) : [json.error];
  if (!issues.length) return json.value;        // valid: done
  messages.push({ role: 'assistant', content: reply },
                { role: 'user', content: 'Your reply did not match the schema: ' + issues });
}
§§§

This is what libraries like Instructor do around Pydantic. It needs a model that can read and act on
an error message, and each retry costs a full generation.

**3. Constrained decoding.** Instead of hoping, make invalid output impossible: at every step, mask the
logits of every token that could not continue a valid instance of the schema, so sampling only picks
allowed tokens (Willard & Louf, 2023). OpenAI calls it *structured outputs* (§response_format: {type:
"json_schema"}§); web-llm uses XGrammar; llama.cpp uses grammars; the built-in TinyLM engine has its own
byte-level JSON acceptor. The output always parses and has the right keys and types. Constraints the
mask does not cover (a §minimum§, a §pattern§, a sensible value) still need validation — so the loop
stays, it just rarely has to retry.

**Measure, don't assume.** The lab runs the task N times with seeds and reports the share of runs valid
on the first try (what you'd get without the loop), the share valid within $k$ attempts, and how
attempts failed (not JSON, schema error, engine error). The lab opens on TinyLM's own JSON format at a
high temperature (1.3), where enough replies break to see the difference: try 1 attempt, then 3, then
constrained decoding. (On a 256-token model a retry re-asks the same prompt with a new seed; a model
with room and the skill to read feedback gets the error message instead.) With a real model, free
decoding with 3 attempts typically rescues most of the first-try failures, and constrained decoding
needs none.
`),
  labs: ['structured-output'],
  quiz: [
    {
      question: 'What does constrained decoding guarantee?',
      choices: [
        'That every reply parses and follows the schema’s structure',
        'That every value is factually correct',
        'That numbers respect every minimum and maximum, always',
        'That the model answers faster than without it',
      ],
      answer: 0,
      explanation: 'Masking tokens that cannot continue a valid instance guarantees structure (syntax, keys, types). Truth is not guaranteed, and some engines do not enforce every keyword, so validation stays.',
    },
    {
      question: 'In the retry loop, what should the re-prompt contain?',
      choices: ['The model’s previous reply and the exact validation error', 'Only "try again"', 'A higher temperature and nothing else', 'The schema, removed'],
      answer: 0,
      explanation: 'The model can only fix what it is told about: showing its reply and the precise error (path and reason) is what makes a retry succeed.',
    },
    {
      question: 'Why does this app validate with @cfworker/json-schema instead of ajv?',
      choices: [
        'ajv compiles schemas to JavaScript with new Function, which the strict CSP forbids',
        'ajv cannot validate JSON',
        'ajv needs a server',
        'JSON Schema has no validators in JavaScript',
      ],
      answer: 0,
      explanation: 'ajv generates code at run time; the app’s Content-Security-Policy has no unsafe-eval, so it uses a validator that interprets schemas.',
    },
  ],
  resources: [
    { title: 'Maxime Labonne — LLM course (structured outputs)', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'DeepLearning.AI — ChatGPT Prompt Engineering for Developers', url: 'https://www.deeplearning.ai/short-courses/chatgpt-prompt-engineering-for-developers/' },
    { title: 'JSON Schema — getting started', url: 'https://json-schema.org/learn/getting-started-step-by-step' },
    { title: 'Pydantic documentation', url: 'https://docs.pydantic.dev/latest/' },
    { title: 'Willard & Louf 2023 — Efficient Guided Generation for LLMs', url: 'https://arxiv.org/abs/2307.09702' },
  ],
});
