/**
 * The shipped raw SFT sample of lesson 2.2.d (ours, MIT): JSONL in the OpenAI chat shape, made
 * from the fine-tuning task's generator and made deliberately dirty, each kind of dirt at a known
 * place so the tests can check the pipeline catches it:
 *   exact duplicates, near duplicates (one word changed or a trailing remark), junk rows (symbols,
 *   "..." lines), e-mail addresses, phone numbers and IP addresses in the text, over-long rows
 *   (a context padded past the 256-token window), malformed lines (broken JSON, wrong role,
 *   missing reply), rows in an old answer format copied many times, and replies signed with an
 *   e-mail address and phone number scraped several times.
 */
import { RNG } from '../tinylm/rng';
import { makeTaskExamples } from '../finetune/task';
import type { ChatMessage } from '../tinylm/corpus/instruct';

/** How many rows of each kind the sample has (the generator's own account, for tests and the UI). */
export interface SampleManifest {
  clean: number;
  /** Extra copies of earlier rows (of clean rows and of the legacy rows). */
  exactDuplicates: number;
  /** Extra variants of earlier rows (a trailing remark; a signed reply scraped again at another time). */
  nearDuplicates: number;
  junk: number;
  /** Rows with PII in the user's text. */
  pii: number;
  /** Distinct rows in the old format (a bare answer, no JSON); each appears `legacyCopies` times. */
  legacy: number;
  legacyCopies: number;
  /** Distinct replies signed with a name, e-mail address and phone number; each appears `signedCopies` times. */
  signed: number;
  signedCopies: number;
  /** E-mail addresses, phone numbers and IP addresses in the readable rows. */
  piiItems: number;
  overLong: number;
  malformed: number;
}

const line = (messages: ChatMessage[]) => JSON.stringify({ messages });

/**
 * Builds the dirty sample: JSONL text and what it contains. Two kinds of dirt are there to change
 * what a model fine-tuned on it learns (lesson 2.2.d measures it):
 *  - legacy rows, answered in the old format (the bare span the chat model already gives), each
 *    exported six times: the copies weigh them six times over; deduplication keeps one of each;
 *  - support replies signed with the agent's e-mail address and phone number, each scraped five
 *    times at different hours (near duplicates): a model trained on them appends the signature to
 *    its answers and writes out the addresses; masking replaces the addresses, deduplication keeps
 *    one reply of each.
 */
export function dirtySample(seed = 2204, clean = 120): { text: string; manifest: SampleManifest } {
  const rng = new RNG(seed);
  const base = makeTaskExamples(clean, seed).map((e) => e.messages);
  // Rows carrying PII, in the old format or padded past the window are made from examples of their own (not copies).
  const extra = makeTaskExamples(40, seed + 1).map((e) => e.messages);
  const lines: string[] = base.map(line);
  const m: SampleManifest = {
    clean, exactDuplicates: 0, nearDuplicates: 0, junk: 0, pii: 0, legacy: 0, legacyCopies: 8, signed: 0, signedCopies: 6, piiItems: 0, overLong: 0, malformed: 0,
  };
  const insert = (s: string) => lines.splice(1 + rng.int(lines.length), 0, s);
  for (let i = 0; i < 12; i++, m.exactDuplicates++) insert(line(base[rng.int(clean)]));
  for (let i = 0; i < 10; i++, m.nearDuplicates++) {
    const src = base[rng.int(clean)];
    const user = src[1].content;
    // a trailing remark on the user turn: most word 3-grams are shared
    const variant = rng.next() < 0.5 ? user.replace(/\.(\s)/, ', it is true.$1') : `${user} Thanks!`;
    insert(line([src[0], { role: 'user', content: variant }, src[2]]));
  }
  // Junk on purpose: each row fails one of the Gopher rules (too few words with a letter, lines ending in "...").
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
  m.piiItems += 5; // 2 e-mail addresses, 2 phone numbers, 1 IP address
  for (let i = 0; i < 3; i++, m.overLong++) {
    const src = extra[4 + i];
    const ctx = src[1].content.split('\nQuestion:')[0];
    insert(line([src[0], { role: 'user', content: `${Array(8).fill(ctx).join(' ')}\nQuestion:${src[1].content.split('\nQuestion:')[1]}` }, src[2]]));
  }
  for (let i = 0; i < 6; i++, m.legacy++) {
    const src = extra[7 + i];
    const bare = (JSON.parse(src[2].content) as { answer: string | number }).answer;
    const row = line([src[0], src[1], { role: 'assistant', content: String(bare) }]);
    for (let c = 0; c < m.legacyCopies; c++) insert(row);
    m.exactDuplicates += m.legacyCopies - 1;
  }
  // one agent signed them all: the same name, address and number on every copy
  const [name, mail, phone] = ['Mia Kato', 'mia.kato@example.com', '555-201-3344'];
  // the shortest contexts, so that prompt and signed reply fit the trainer's 112-token windows
  const short = extra.slice(13).sort((a, b) => a[1].content.length - b[1].content.length);
  for (let i = 0; i < 5; i++, m.signed++) {
    const src = short[i];
    for (let c = 0; c < m.signedCopies; c++) {
      const hour = `${String(8 + 2 * c).padStart(2, '0')}:${String(5 + 9 * c)}`;
      insert(line([src[0], src[1], { role: 'assistant', content: `${src[2].content}\n${name} ${hour}, ${mail}, ${phone}` }]));
      m.piiItems += 2;
    }
    m.nearDuplicates += m.signedCopies - 1;
  }
  const broken = ['{"messages": [{"role": "user", "content": "Where does Tom live?"}', '{"messages": [{"role": "robot", "content": "hi"}, {"role": "assistant", "content": "hello"}]}',
    '{"messages": [{"role": "user", "content": "What is the weather?"}]}', 'just some text without JSON'];
  for (const b of broken) {
    insert(b);
    m.malformed++;
  }
  return { text: lines.join('\n') + '\n', manifest: m };
}
