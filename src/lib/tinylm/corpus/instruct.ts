/**
 * Synthetic instruction data in the ChatML template (see `contract.ts`), generated from seeded
 * templates. Four skills: (a) answer a question by copying a span of a given context passage,
 * (b) produce JSON for a requested simple schema, (c) emit a tool call
 * `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, (d) short chit-chat; plus (e) copy drills
 * ("Repeat after me: …"), which are not part of the evaluated mix but teach the attention heads to
 * copy tokens from the prompt, which (a)–(c) all need (see `copyExample`).
 * Licence: MIT (ours). Each example carries its expected answer for evaluation.
 */
import type { RNG } from '../rng';
import { type ChatMessage, QA_SYSTEM, TOOLS, renderJSON, renderQAUser, renderToolCall, renderToolsPrompt } from './formats';
import { ANIMALS, BOY_NAMES, COLORS, GIRL_NAMES, PLACES, person, shortStory } from './stories';

// The trained formats live in formats.ts; re-exported so callers keep one import for the chat data.
export * from './formats';

export type Skill = 'qa' | 'json' | 'tool' | 'chat' | 'copy';
export interface ChatExample {
  skill: Skill;
  messages: ChatMessage[]; // the last one is the assistant's reply
}

const CITIES = ['Paris', 'London', 'Tokyo', 'Cairo', 'Lima', 'Oslo', 'Rome', 'Delhi', 'Berlin', 'Madrid', 'Dublin', 'Seoul', 'Boston', 'Sydney', 'Nairobi', 'Lisbon', 'Vienna', 'Quito', 'Prague', 'Dakar'];
const JOBS = ['teacher', 'doctor', 'baker', 'farmer', 'pilot', 'nurse', 'painter', 'cook', 'driver', 'singer'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SYL = ['ka', 'lo', 'mi', 'ra', 'ven', 'to', 'zu', 'bel', 'dor', 'pi', 'san', 'ri', 'mo', 'tal', 'fen', 'gu', 'nor', 'sa'];

/** An invented word (forces copying from the context rather than recall). */
function invented(rng: RNG): string {
  const n = 2 + rng.int(2);
  let w = '';
  for (let i = 0; i < n; i++) w += rng.pick(SYL);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

interface Facts {
  name: string; he: string; his: string;
  city: string; job: string; pet: string; petName: string; color: string; age: number; day: string; place: string;
}

function facts(rng: RNG): Facts {
  const p = person(rng);
  const useInvented = rng.next() < 0.4;
  return {
    name: useInvented ? invented(rng) : p.name, he: p.he, his: p.his,
    city: rng.next() < 0.3 ? invented(rng) : rng.pick(CITIES),
    job: rng.pick(JOBS), pet: rng.pick(ANIMALS),
    petName: rng.next() < 0.5 ? invented(rng) : rng.pick([...GIRL_NAMES, ...BOY_NAMES]),
    color: rng.pick(COLORS), age: 5 + rng.int(60), day: rng.pick(DAYS), place: rng.pick(PLACES),
  };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const an = (w: string) => (/^[aeiou]/.test(w) ? `an ${w}` : `a ${w}`);

/** The context sentences for one person, shuffled, with (question, answer) pairs. */
function describe(rng: RNG, f: Facts): { sentences: string[]; qa: [string, string][] } {
  const items: [string, [string, string]][] = [
    [`${f.name} lives in ${f.city}.`, [`Where does ${f.name} live?`, f.city]],
    [`${f.name} works as a ${f.job}.`, [`What is ${f.name}'s job?`, f.job]],
    [`${f.name} has ${an(f.pet)} named ${f.petName}.`, [`What is the name of ${f.name}'s ${f.pet}?`, f.petName]],
    [`${cap(f.his)} favorite color is ${f.color}.`, [`What is ${f.name}'s favorite color?`, f.color]],
    [`${cap(f.he)} is ${f.age} years old.`, [`How old is ${f.name}?`, String(f.age)]],
    [`Every ${f.day}, ${f.he} goes to the ${f.place}.`, [`Where does ${f.name} go every ${f.day}?`, `the ${f.place}`]],
  ];
  const chosen = rng.shuffle(items.slice(1)).slice(0, 2 + rng.int(3));
  // The first sentence names the person; "he/she" sentences follow it.
  const all = [items[0], ...chosen];
  return { sentences: all.map((x) => x[0]), qa: all.map((x) => x[1]) };
}

/**
 * A person described in the sentences the chat model was trained on, with the questions those
 * sentences answer (for RAG demos over a collection of such profiles: see `src/lib/rag/register.ts`).
 */
export function personProfile(rng: RNG): { name: string; sentences: string[]; qa: [string, string][] } {
  const f = facts(rng);
  return { name: f.name, ...describe(rng, f) };
}

function qaExample(rng: RNG): ChatExample {
  const a = facts(rng);
  const da = describe(rng, a);
  let sentences = da.sentences;
  if (rng.next() < 0.35) {
    const b = facts(rng);
    sentences = rng.next() < 0.5 ? [...sentences, ...describe(rng, b).sentences] : [...describe(rng, b).sentences, ...sentences];
  }
  const [q, ans] = rng.pick(da.qa);
  const messages: ChatMessage[] = [];
  if (rng.next() < 0.7) messages.push({ role: 'system', content: QA_SYSTEM });
  messages.push({ role: 'user', content: renderQAUser(sentences.join(' '), q) }, { role: 'assistant', content: ans });
  return { skill: 'qa', messages };
}

function jsonExample(rng: RNG): ChatExample {
  const f = facts(rng);
  const fields: [string, 'string' | 'number', string | number, string][] = [
    ['age', 'number', f.age, `${f.name} is ${f.age} years old.`],
    ['city', 'string', f.city, `${f.name} lives in ${f.city}.`],
    ['job', 'string', f.job, `${f.name} works as a ${f.job}.`],
    ['color', 'string', f.color, `${f.name}'s favorite color is ${f.color}.`],
    ['pet', 'string', f.pet, `${f.name} has ${an(f.pet)}.`],
  ];
  const shuffled = rng.shuffle(fields.slice());
  const asked = shuffled.slice(0, 1 + rng.int(3));
  // The text may also state a fact that was not asked for (the model must pick the right ones).
  const stated = rng.next() < 0.5 ? shuffled.slice(0, asked.length + 1) : asked;
  const text = rng.shuffle(stated.map((x) => x[3])).join(' ');
  const keys: [string, string, string | number][] = asked.map(([k, t, v]) => [k, t, v]);
  if (rng.next() < 0.7) keys.unshift(['name', 'string', f.name]);
  const spec = keys.map(([k, t]) => `"${k}" (${t})`).join(', ');
  const user = rng.next() < 0.5 ? `Return JSON with the keys ${spec}.\nText: ${text}` : `Text: ${text}\nGive a JSON object with the keys ${spec}.`;
  return { skill: 'json', messages: [{ role: 'user', content: user }, { role: 'assistant', content: renderJSON(Object.fromEntries(keys.map(([k, , v]) => [k, v]))) }] };
}

function toolExample(rng: RNG): ChatExample {
  const city = rng.next() < 0.3 ? invented(rng) : rng.pick(CITIES);
  const n = 1 + rng.int(60), a = rng.int(100), b = rng.int(100);
  const who = rng.pick([...GIRL_NAMES, ...BOY_NAMES]);
  const msg = rng.pick(['I am on my way', 'see you soon', 'happy birthday', 'call me later', 'dinner is ready', 'thank you']);
  const cases: [string, string, Record<string, unknown>][] = [
    ['get_weather', rng.pick([`What is the weather in ${city}?`, `Is it raining in ${city}?`, `How is the weather in ${city} today?`]), { city }],
    ['set_timer', rng.pick([`Set a timer for ${n} minutes.`, `Please start a ${n} minute timer.`, `Remind me in ${n} minutes.`]), { minutes: n }],
    ['add_numbers', rng.pick([`What is ${a} plus ${b}?`, `Add ${a} and ${b}.`, `What is the sum of ${a} and ${b}?`]), { a, b }],
    ['send_message', rng.pick([`Send a message to ${who} saying ${msg}.`, `Tell ${who}: ${msg}.`]), { to: who, text: msg }],
    ['get_time', rng.pick([`What time is it in ${city}?`, `Tell me the time in ${city}.`]), { city }],
  ];
  const [name, user, args] = rng.pick(cases);
  const others = rng.shuffle(TOOLS.filter((t) => t.name !== name)).slice(0, rng.int(3));
  const tools = rng.shuffle([TOOLS.find((t) => t.name === name)!, ...others]);
  // Sometimes the user just chats while tools are available: answer without a call.
  if (rng.next() < 0.1) {
    const [u, r] = rng.pick(SMALL_TALK);
    return { skill: 'chat', messages: [{ role: 'system', content: renderToolsPrompt(tools) }, { role: 'user', content: u }, { role: 'assistant', content: r }] };
  }
  return {
    skill: 'tool',
    messages: [{ role: 'system', content: renderToolsPrompt(tools) }, { role: 'user', content: user }, { role: 'assistant', content: renderToolCall(name, args) }],
  };
}

const SMALL_TALK: [string, string][] = [
  ['Hi!', 'Hello! How can I help you today?'],
  ['Hello', 'Hi there! What can I do for you?'],
  ['How are you?', 'I am fine, thank you! How can I help you?'],
  ['Who are you?', 'I am TinyLM, a small language model that runs in your browser.'],
  ['What is your name?', 'My name is TinyLM.'],
  ['Thank you!', 'You are welcome!'],
  ['Thanks a lot.', 'You are welcome! Happy to help.'],
  ['Good night!', 'Good night! Sleep well.'],
  ['Can you help me?', 'Of course! What do you need?'],
  ['Bye!', 'Goodbye! Have a nice day.'],
  ['What can you do?', 'I can answer questions about a text you give me, write simple JSON, call tools and tell short stories.'],
  ['Are you a person?', 'No, I am a small language model.'],
];

function chatExample(rng: RNG): ChatExample {
  if (rng.next() < 0.4) {
    const name = rng.next() < 0.5 ? rng.pick(GIRL_NAMES) : rng.pick(BOY_NAMES);
    const u = rng.pick([`Tell me a short story about ${name}.`, `Write a little story about ${name}.`, `Can you tell me a story about ${name}?`]);
    return { skill: 'chat', messages: [{ role: 'user', content: u }, { role: 'assistant', content: shortStory(rng, name) }] };
  }
  const [u, r] = rng.pick(SMALL_TALK);
  return { skill: 'chat', messages: [{ role: 'user', content: u }, { role: 'assistant', content: r }] };
}

/** A word for a copy drill: invented, a name, a city, a number, a colour, an animal or a place. */
function drillWord(rng: RNG): string {
  switch (rng.int(6)) {
    case 0: {
      const w = invented(rng);
      return rng.next() < 0.5 ? w : w.toLowerCase();
    }
    case 1: return rng.pick([...GIRL_NAMES, ...BOY_NAMES]);
    case 2: return rng.pick(CITIES);
    case 3: return String(rng.int(100));
    case 4: return rng.pick(COLORS);
    default: return rng.pick([...ANIMALS, ...PLACES]);
  }
}

/**
 * A copy drill: "Repeat after me: Tallo 42 blue" → "Tallo 42 blue". A 0.4 M-parameter model only
 * learned to copy answers out of a context passage once these were in the mix: in a PyTorch sweep
 * of the chat recipe (same architecture and data, 4,000 steps), context-QA exact match went from
 * 50 % without drills to 78 % with drills as 28 % of the examples, JSON exact from 28 % to 74 %.
 */
export function copyExample(rng: RNG): ChatExample {
  const words = Array.from({ length: 1 + rng.int(5) }, () => drillWord(rng)).join(' ');
  const ask = rng.pick([`Repeat after me: ${words}`, `Say exactly: ${words}`, `Copy this: ${words}`]);
  return { skill: 'copy', messages: [{ role: 'user', content: ask }, { role: 'assistant', content: words }] };
}

/** One instruction example; `skill` forces a kind, else the training mix (35/25/25/15 %). */
export function instructExample(rng: RNG, skill?: Skill): ChatExample {
  const s = skill ?? ((): Skill => {
    const x = rng.next();
    return x < 0.35 ? 'qa' : x < 0.6 ? 'json' : x < 0.85 ? 'tool' : 'chat';
  })();
  switch (s) {
    case 'qa':
      return qaExample(rng);
    case 'json':
      return jsonExample(rng);
    case 'tool':
      return toolExample(rng);
    case 'copy':
      return copyExample(rng);
    default:
      return chatExample(rng);
  }
}
