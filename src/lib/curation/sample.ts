/**
 * The shipped raw SFT sample of lesson 2.2.d (ours, MIT): JSONL in the OpenAI chat shape, made
 * from the fine-tuning task's generator and made deliberately dirty, each kind of dirt at a known
 * place so the tests can check the pipeline catches it:
 *   exact duplicates, near duplicates (one word changed or a trailing remark), junk rows (symbols,
 *   "..." lines), e-mail addresses, phone numbers and IP addresses in the text, over-long rows
 *   (a context padded past the 256-token window), and malformed lines (broken JSON, wrong role,
 *   missing reply).
 */
import { RNG } from '../tinylm/rng';
import { makeTaskExamples } from '../finetune/task';
import type { ChatMessage } from '../tinylm/corpus/instruct';

/** How many rows of each kind the sample has (the generator's own account, for tests and the UI). */
export interface SampleManifest {
  clean: number;
  exactDuplicates: number;
  nearDuplicates: number;
  junk: number;
  pii: number;
  overLong: number;
  malformed: number;
}

const line = (messages: ChatMessage[]) => JSON.stringify({ messages });

/** Builds the dirty sample: JSONL text and what it contains. */
export function dirtySample(seed = 2204, clean = 120): { text: string; manifest: SampleManifest } {
  const rng = new RNG(seed);
  const base = makeTaskExamples(clean, seed).map((e) => e.messages);
  // Rows carrying PII or padded past the window are made from examples of their own (not copies).
  const extra = makeTaskExamples(8, seed + 1).map((e) => e.messages);
  const lines: string[] = base.map(line);
  const m: SampleManifest = { clean, exactDuplicates: 0, nearDuplicates: 0, junk: 0, pii: 0, overLong: 0, malformed: 0 };
  const insert = (s: string) => lines.splice(1 + rng.int(lines.length), 0, s);
  for (let i = 0; i < 12; i++, m.exactDuplicates++) insert(line(base[rng.int(clean)]));
  for (let i = 0; i < 10; i++, m.nearDuplicates++) {
    const src = base[rng.int(clean)];
    const user = src[1].content;
    // a trailing remark on the user turn: most word 3-grams are shared
    const variant = rng.next() < 0.5 ? user.replace(/\.(\s)/, ', it is true.$1') : `${user} Thanks!`;
    insert(line([src[0], { role: 'user', content: variant }, src[2]]));
  }
  const junk = ['$$$ ### @@@ !!! 1234 5678 ### $$$ %%% ^^^', 'click here... click here... click here... buy now...',
    '= = = = | | | | + + + + = = = =', 'lorem ipsum... dolor sit... amet...'];
  for (const j of junk) {
    insert(line([{ role: 'user', content: j }, { role: 'assistant', content: j }]));
    m.junk++;
  }
  const contacts = ['Write to mia.kato@example.com for details.', 'Call 555-201-3344 after six.', 'The server is at 192.168.10.24 today.', 'Mail ravi_92@example.org or call +1 (555) 987-6543.'];
  for (let i = 0; i < contacts.length; i++, m.pii++) {
    const src = extra[i];
    insert(line([src[0], { role: 'user', content: src[1].content.replace('\nQuestion:', ` ${contacts[i]}\nQuestion:`) }, src[2]]));
  }
  for (let i = 0; i < 3; i++, m.overLong++) {
    const src = extra[4 + i];
    const ctx = src[1].content.split('\nQuestion:')[0];
    insert(line([src[0], { role: 'user', content: `${Array(8).fill(ctx).join(' ')}\nQuestion:${src[1].content.split('\nQuestion:')[1]}` }, src[2]]));
  }
  const broken = ['{"messages": [{"role": "user", "content": "Where does Tom live?"}', '{"messages": [{"role": "robot", "content": "hi"}, {"role": "assistant", "content": "hello"}]}',
    '{"messages": [{"role": "user", "content": "What is the weather?"}]}', 'just some text without JSON'];
  for (const b of broken) {
    insert(b);
    m.malformed++;
  }
  return { text: lines.join('\n') + '\n', manifest: m };
}
