/**
 * Lab 1.3.a: a LangChain chain assembled from blocks — prompt template (string or chat) →
 * chat model → output parser — described by a small serialisable spec, run with invoke, stream
 * or batch, and shown as the same chain in TypeScript (LCEL) and Python.
 *
 * Parsers: `StringOutputParser`, `JsonOutputParser`, LangChain's `StandardSchemaOutputParser`
 * over a valibot schema built from the keys the template asks for ("Return JSON with the keys
 * "name" (string), "age" (number)" — TinyLM's trained instruction), and a parser function the
 * learner configures (a regular expression applied by a `RunnableLambda`: the page never runs
 * typed code).
 */
import { PromptTemplate, ChatPromptTemplate } from '@langchain/core/prompts';
import { JsonOutputParser, OutputParserException, StandardSchemaOutputParser, StringOutputParser } from '@langchain/core/output_parsers';
import { RunnableLambda, type Runnable, type RunnableConfig } from '@langchain/core/runnables';
import { HumanMessage } from '@langchain/core/messages';
import * as v from 'valibot';
import { LabError } from '../errors';
import type { JSONSchema } from '../engine/types';
import type { EngineChatModel } from './chat-model';

export type TemplateKind = 'string' | 'chat';
export type ParserKind = 'string' | 'json' | 'valibot' | 'regex';
export type RunMode = 'invoke' | 'stream' | 'batch';

export interface ChainSpec {
  templateKind: TemplateKind;
  /** System message (chat templates only; empty = none). */
  system: string;
  /** The (user) template with {variables}. */
  template: string;
  /** Values of the template's variables. */
  vars: Record<string, string>;
  parser: ParserKind;
  /** The learner's parser function: a regular expression; the first group (or the match) is the result. */
  regex: string;
  /** For batch: one value per line for the template's last variable. */
  batchValues: string;
  temperature: number;
  maxTokens: number;
  seed: number;
}

/** The {variables} of an f-string template, in order of first use ({{ and }} are literal braces). */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  const re = /\{\{|\}\}|\{([^{}]*)\}/g;
  for (const m of template.matchAll(re)) {
    if (m[1] === undefined) continue;
    const name = m[1].trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new LabError('bad-input', `“{${m[1]}}” is not a template variable name.`, 'Use letters, digits and _ inside braces, e.g. {question}; write {{ and }} for literal braces.');
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** All variables of the spec's templates (system first). */
export function specVariables(spec: Pick<ChainSpec, 'templateKind' | 'system' | 'template'>): string[] {
  const names = spec.templateKind === 'chat' ? templateVariables(spec.system) : [];
  for (const n of templateVariables(spec.template)) if (!names.includes(n)) names.push(n);
  return names;
}

/** Checks that every variable has a non-empty value; throws a LabError naming the first that does not. */
export function checkInputs(spec: ChainSpec, vars: Record<string, string> = spec.vars): void {
  if (!spec.template.trim()) throw new LabError('bad-input', 'The prompt template is empty.', 'Write a template, e.g. “Context: {context}\\nQuestion: {question}”.');
  for (const name of specVariables(spec)) {
    if (!(name in vars)) throw new LabError('bad-input', `The template uses {${name}}, but no value for it is given.`, `Add a value for ${name}, or remove {${name}} from the template.`);
    if (!vars[name].trim()) throw new LabError('bad-input', `The variable {${name}} is empty.`, `Type a value for ${name}: an empty variable leaves a hole in the prompt.`);
  }
}

/** The keys and types named by TinyLM's JSON instruction (`"name" (string), "age" (number)`). */
export function jsonKeys(template: string): Array<{ key: string; type: 'string' | 'number' }> {
  const out: Array<{ key: string; type: 'string' | 'number' }> = [];
  for (const m of template.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*\((string|number)\)/g)) out.push({ key: m[1], type: m[2] as 'string' | 'number' });
  return out;
}

function keysOrThrow(spec: ChainSpec) {
  const keys = jsonKeys(spec.template);
  if (!keys.length) throw new LabError('bad-input', 'The schema parser needs the keys the template asks for.', 'Write them in the template the way TinyLM was trained: Return JSON with the keys "name" (string), "age" (number).');
  return keys;
}

/** The valibot schema for the template's keys (every key required, no others). */
export function valibotSchemaFor(spec: ChainSpec) {
  const entries = Object.fromEntries(keysOrThrow(spec).map(({ key, type }) => [key, type === 'number' ? v.number() : v.string()]));
  return v.strictObject(entries);
}

/** The same schema as JSON Schema (for constrained decoding in the fix-and-retry step). */
export function jsonSchemaFor(spec: ChainSpec): JSONSchema {
  const keys = keysOrThrow(spec);
  return {
    type: 'object',
    properties: Object.fromEntries(keys.map(({ key, type }) => [key, type === 'number' ? { type: 'number' } : { type: 'string', maxLength: 40 }])),
    required: keys.map((k) => k.key),
    additionalProperties: false,
  };
}

/** The learner's regular expression, compiled (with a clear message when it does not compile). */
export function compileRegex(source: string): RegExp {
  if (!source) throw new LabError('bad-input', 'The parser function has no pattern.', 'Type a regular expression, e.g. ([A-Z][a-z]+).');
  try {
    return new RegExp(source);
  } catch (e) {
    throw new LabError('bad-input', `The pattern does not compile: ${(e as Error).message}`, 'Fix the regular expression (test it on the model output shown above).');
  }
}

/** The output parser block for a spec. */
export function makeParser(spec: ChainSpec): Runnable<unknown, unknown> {
  switch (spec.parser) {
    case 'string':
      return new StringOutputParser() as unknown as Runnable<unknown, unknown>;
    case 'json':
      return new JsonOutputParser() as unknown as Runnable<unknown, unknown>;
    case 'valibot':
      return new StandardSchemaOutputParser(valibotSchemaFor(spec)) as unknown as Runnable<unknown, unknown>;
    case 'regex': {
      const re = compileRegex(spec.regex);
      // A learner-written parser is just a function: LCEL wraps it in a RunnableLambda.
      const parse = (msg: { text: string }) => {
        const m = re.exec(msg.text);
        if (!m) throw new OutputParserException(`The pattern /${re.source}/ does not match the reply: "${msg.text}"`, msg.text);
        return m[1] ?? m[0];
      };
      return RunnableLambda.from(parse).withConfig({ runName: 'RegexParser' }) as unknown as Runnable<unknown, unknown>;
    }
  }
}

/** The prompt template block for a spec. */
export function makePrompt(spec: ChainSpec): Runnable<Record<string, string>, unknown> {
  if (spec.templateKind === 'string') return PromptTemplate.fromTemplate(spec.template) as unknown as Runnable<Record<string, string>, unknown>;
  const msgs: Array<[string, string]> = [];
  if (spec.system.trim()) msgs.push(['system', spec.system]);
  msgs.push(['human', spec.template]);
  return ChatPromptTemplate.fromMessages(msgs) as unknown as Runnable<Record<string, string>, unknown>;
}

/** prompt | model | parser, with the spec's sampling settings bound to the model. */
export function buildChain(spec: ChainSpec, model: EngineChatModel): Runnable<Record<string, string>, unknown> {
  const bound = model.withConfig({ temperature: spec.temperature, maxTokens: spec.maxTokens, seed: spec.seed } as RunnableConfig);
  return makePrompt(spec).pipe(bound).pipe(makeParser(spec)).withConfig({ runName: 'Chain' });
}

/** The inputs of a batch run: the spec's values with the last variable taken from each line. */
export function batchInputs(spec: ChainSpec): Array<Record<string, string>> {
  const names = specVariables(spec);
  const last = names[names.length - 1];
  const lines = spec.batchValues.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!last) throw new LabError('bad-input', 'Batch needs a template with at least one {variable}.', 'Add a variable to the template.');
  if (!lines.length) throw new LabError('bad-input', `Batch needs values for {${last}}, one per line.`, `Type a few values for ${last}, one per line.`);
  if (lines.length > 8) throw new LabError('bad-input', `Batch is limited to 8 inputs here (${lines.length} given).`, 'Remove some lines.');
  return lines.map((l) => ({ ...spec.vars, [last]: l }));
}

export interface RunOutcome {
  /** one result per input (one for invoke/stream) */
  results: Array<{ ok: true; value: unknown } | { ok: false; error: Error; raw?: string }>;
  /** streamed pieces (stream mode) */
  chunks: number;
}

/** Runs the chain in the chosen mode; parse failures are returned per input, other failures throw. */
export async function runChain(spec: ChainSpec, model: EngineChatModel, mode: RunMode, config: RunnableConfig, onChunk?: (value: unknown, n: number) => void): Promise<RunOutcome> {
  const chain = buildChain(spec, model);
  // The model's last reply, for the fix-and-retry step (JsonOutputParser throws a bare SyntaxError without it).
  let lastReply: string | undefined;
  const capture = { handleLLMEnd: (out: { generations: Array<Array<{ text: string }>> }) => void (lastReply = out.generations[0]?.[0]?.text) };
  config = { ...config, callbacks: [...((config.callbacks as unknown[]) ?? []), capture] as RunnableConfig['callbacks'] };
  // A failure after the model answered is the parser's; engine failures and cancels propagate.
  const asResult = (e: unknown) => {
    if (e instanceof LabError && e.code !== 'bad-response') throw e;
    if (e instanceof OutputParserException || e instanceof SyntaxError || e instanceof LabError || (e instanceof Error && lastReply !== undefined && !/abort/i.test(e.name + e.message))) {
      return { ok: false as const, error: e as Error, raw: (e as OutputParserException).llmOutput ?? (mode === 'batch' ? undefined : lastReply) };
    }
    throw e;
  };
  if (mode === 'batch') {
    const inputs = batchInputs(spec);
    inputs.forEach((i) => checkInputs(spec, i));
    const out = await chain.batch(inputs, config, { returnExceptions: true });
    return { results: out.map((r) => (r instanceof Error ? asResult(r) : { ok: true as const, value: r })), chunks: 0 };
  }
  checkInputs(spec);
  if (mode === 'invoke') {
    try {
      return { results: [{ ok: true, value: await chain.invoke(spec.vars, config) }], chunks: 0 };
    } catch (e) {
      return { results: [asResult(e)], chunks: 0 };
    }
  }
  let n = 0;
  let acc: unknown = undefined;
  try {
    for await (const piece of await chain.stream(spec.vars, config)) {
      n++;
      // String parsers stream text deltas; the JSON parser streams growing partial objects.
      acc = typeof piece === 'string' && typeof acc === 'string' ? acc + piece : piece;
      onChunk?.(acc, n);
    }
    return { results: [{ ok: true, value: acc }], chunks: n };
  } catch (e) {
    return { results: [asResult(e)], chunks: n };
  }
}

/**
 * The fix-and-retry step after a parse failure: the model gets its own reply and the parser's
 * error and is asked again — with constrained decoding (`response_format: json_schema`) for the
 * JSON and schema parsers, which is what lets a small model succeed — and the parser runs again.
 */
export async function fixAndRetry(spec: ChainSpec, model: EngineChatModel, vars: Record<string, string>, bad: string, error: string, config: RunnableConfig): Promise<{ ok: true; value: unknown; text: string } | { ok: false; error: Error; text: string }> {
  const prompt = await makePrompt(spec).invoke(vars);
  const original = (prompt as { toChatMessages(): import('@langchain/core/messages').BaseMessage[] }).toChatMessages();
  const fix = new HumanMessage(`Your reply could not be parsed.\nReply: ${bad}\nError: ${error.slice(0, 300)}\nAnswer again in the right format.`);
  const json = spec.parser === 'json' || spec.parser === 'valibot';
  const schema = json ? (jsonKeys(spec.template).length ? jsonSchemaFor(spec) : { type: 'object' }) : null;
  const bound = model.withConfig({ temperature: spec.temperature, maxTokens: spec.maxTokens, seed: spec.seed, ...(schema ? { response_format: { type: 'json_schema', json_schema: { name: 'fixed', schema } } } : {}) } as RunnableConfig);
  // A small context window cannot hold the original prompt twice: send the original turn and the fix request only.
  const reply = await bound.withConfig({ runName: 'FixAndRetry' }).invoke([...original, fix], config);
  const text = (reply as { text: string }).text;
  try {
    const value = await makeParser(spec).invoke(reply, config);
    return { ok: true, value, text };
  } catch (e) {
    return { ok: false, error: e as Error, text };
  }
}

const pyStr = (s: string) => JSON.stringify(s);
const tsStr = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';

/** The chain as TypeScript (LangChain.js LCEL) and Python (LangChain) source, for reading — never executed. */
export function chainCode(spec: ChainSpec, modelLabel = 'tinylm-chat'): { ts: string; py: string } {
  const names = specVariables(spec);
  const inputTs = `{ ${names.map((n) => `${n}: ${JSON.stringify(spec.vars[n] ?? '')}`).join(', ')} }`;
  const inputPy = `{${names.map((n) => `${pyStr(n)}: ${pyStr(spec.vars[n] ?? '')}`).join(', ')}}`;
  const keys = spec.parser === 'valibot' ? jsonKeys(spec.template) : [];
  const ts: string[] = [];
  const py: string[] = [];
  const tsImports = new Set<string>();
  if (spec.templateKind === 'string') {
    tsImports.add(`import { PromptTemplate } from '@langchain/core/prompts';`);
    ts.push(`const prompt = PromptTemplate.fromTemplate(${tsStr(spec.template)});`);
    py.push('from langchain_core.prompts import PromptTemplate', '', `prompt = PromptTemplate.from_template(${pyStr(spec.template)})`);
  } else {
    tsImports.add(`import { ChatPromptTemplate } from '@langchain/core/prompts';`);
    const m = [...(spec.system.trim() ? [`['system', ${tsStr(spec.system)}]`] : []), `['human', ${tsStr(spec.template)}]`];
    ts.push(`const prompt = ChatPromptTemplate.fromMessages([\n  ${m.join(',\n  ')},\n]);`);
    const mp = [...(spec.system.trim() ? [`("system", ${pyStr(spec.system)})`] : []), `("human", ${pyStr(spec.template)})`];
    py.push('from langchain_core.prompts import ChatPromptTemplate', '', `prompt = ChatPromptTemplate.from_messages([\n    ${mp.join(',\n    ')},\n])`);
  }
  ts.push(`// any chat model: ChatOpenAI, ChatOllama, … here ours over ${modelLabel}`, `const model = new EngineChatModel({ engine, temperature: ${spec.temperature}, maxTokens: ${spec.maxTokens}, seed: ${spec.seed} });`);
  py.push(`model = ChatOpenAI(base_url="http://localhost:8000/v1", model=${pyStr(modelLabel)}, temperature=${spec.temperature}, max_tokens=${spec.maxTokens}, seed=${spec.seed})`);
  switch (spec.parser) {
    case 'string':
      tsImports.add(`import { StringOutputParser } from '@langchain/core/output_parsers';`);
      ts.push('const parser = new StringOutputParser();');
      py.push('parser = StrOutputParser()');
      break;
    case 'json':
      tsImports.add(`import { JsonOutputParser } from '@langchain/core/output_parsers';`);
      ts.push('const parser = new JsonOutputParser();');
      py.push('parser = JsonOutputParser()');
      break;
    case 'valibot':
      tsImports.add(`import { StandardSchemaOutputParser } from '@langchain/core/output_parsers';`);
      tsImports.add(`import * as v from 'valibot';`);
      ts.push(`const schema = v.strictObject({ ${keys.map((k) => `${k.key}: v.${k.type}()`).join(', ')} });`, 'const parser = new StandardSchemaOutputParser(schema);');
      py.push(`class Output(BaseModel):\n${keys.map((k) => `    ${k.key}: ${k.type === 'number' ? 'float' : 'str'}`).join('\n') || '    pass'}\n\nparser = PydanticOutputParser(pydantic_object=Output)`);
      break;
    case 'regex':
      tsImports.add(`import { RunnableLambda } from '@langchain/core/runnables';`);
      ts.push(`const parser = RunnableLambda.from((msg) => {\n  const m = /${spec.regex}/.exec(msg.text);\n  if (!m) throw new Error('no match');\n  return m[1] ?? m[0];\n});`);
      py.push(`def parser(msg):\n    m = re.search(r${pyStr(spec.regex)}, msg.content)\n    if not m:\n        raise ValueError("no match")\n    return m.group(1) if m.groups() else m.group(0)`);
      break;
  }
  ts.push('', 'const chain = prompt.pipe(model).pipe(parser);', `const out = await chain.invoke(${inputTs});`, `// or: for await (const piece of await chain.stream(…)) …   chain.batch([…])`);
  py.push('', 'chain = prompt | model | parser', `out = chain.invoke(${inputPy})`, '# or: for piece in chain.stream(…): …   chain.batch([…])');
  const pyImports = ['from langchain_openai import ChatOpenAI'];
  if (spec.parser === 'string') pyImports.push('from langchain_core.output_parsers import StrOutputParser');
  if (spec.parser === 'json') pyImports.push('from langchain_core.output_parsers import JsonOutputParser');
  if (spec.parser === 'valibot') pyImports.push('from langchain_core.output_parsers import PydanticOutputParser', 'from pydantic import BaseModel');
  if (spec.parser === 'regex') pyImports.push('import re');
  return { ts: [...tsImports, `import { EngineChatModel } from './lib/langchain';`, '', ...ts].join('\n'), py: [...pyImports, ...py].join('\n') };
}
