import { defineLessonPart } from '../../types';

/** Inline code in the Markdown (a backtick cannot be written inside String.raw). */
const code = (s: string) => '`' + s + '`';
import results from './results.json';

// From `npm run finetune:measure`: the lab's LoRA run with the loss on the reply only vs on every token.
const mask = results.maskAblation;
// …and LoRA on the shipped dirty sample as it came vs curated (mean over seeds; `--only curation`).
const cmp = results.curation;
const pct = (x: number) => `${Math.round(100 * x)} %`;
const seedRange = (k: 'valLoss' | 'exact') => {
  const d = cmp.runs.map((r) => r.curated[k] - r.raw[k]);
  return k === 'exact' ? `${Math.round(100 * Math.min(...d))} to ${Math.round(100 * Math.max(...d))} points` : `${Math.min(...d).toFixed(3)} to ${Math.max(...d).toFixed(3)} nats`;
};
const sameWay = cmp.runs.every((r) => r.curated.valLoss < r.raw.valLoss && r.curated.exact > r.raw.exact);

export default defineLessonPart({
  topic: '2.2',
  order: 20,
  title: 'Curating and formatting SFT data',
  body: String.raw`
A fine-tuned model copies its data — including its mistakes, its duplicates and the e-mail addresses
in it. The usual pipeline before SFT:

1. **Parse** every row into chat messages (OpenAI ${code('{"messages": [...]}')}, prompt/response, Alpaca
   instruction/input/output). A row that cannot be read is reported with its line number, not silently skipped.
2. **Format** it with the model's **chat template** — for TinyLM ChatML:
   ${code('<|im_start|>user\\n…<|im_end|>\\n<|im_start|>assistant\\n…<|im_end|>')} — and build the **loss mask**:
   the model should learn to *write replies*, not to predict the user's questions, so only the reply
   tokens (and the closing ${code('<|im_end|>')}) are targets. (CS336 assignment 5's ${code('response_mask')}; TinyLM's chat
   model was trained this way.)
3. **Length**: a row longer than the context window is cut during training and loses its reply;
   drop or shorten it.
4. **Duplicates**: exact ones by a hash of the normalised text; near ones with **MinHash**: the share of
   equal minimum hashes of two shingle sets estimates their Jaccard similarity $J = |A\cap B|/|A\cup B|$.
   **LSH** splits $k = b\cdot r$ hashes into $b$ bands of $r$; a pair becomes a candidate when a whole band
   agrees, with probability $1-(1-s^r)^b$ — an S-curve whose steep part sits near $(1/b)^{1/r}$. Candidates
   are then checked exactly, so LSH only has to not miss pairs above the threshold.
5. **Quality rules** — Gopher's heuristics as CS336 assignment 4 sets them: between 50 and 100,000 words, mean
   word length 3–10, at most 30 % of lines ending with "...", at least 80 % of words containing a letter.
   They were written for web pages; for short chat rows the word minimum must come down.
6. **PII**: replace e-mail addresses, phone numbers and IP addresses with ${code('|||EMAIL_ADDRESS|||')},
   ${code('|||PHONE_NUMBER|||')}, ${code('|||IP_ADDRESS|||')}.
7. **Split** off a validation set (here by a hash of each row, so adding rows does not reshuffle the rest).

The shipped sample is the fine-tuning task's data with dirt added on purpose: exact and near
duplicates, junk rows, contact details, rows padded past the window, and broken lines — and two kinds
of dirt that change what a model learns from it: ${cmp.manifest.legacy} rows left over from an older export,
answered in the old format (the bare answer, no JSON) and copied ${cmp.manifest.legacyCopies} times each, and ${cmp.manifest.signed} support replies
signed by one agent with her e-mail address and phone number, each scraped ${cmp.manifest.signedCopies} times at different hours.
`,
  labs: ['sft-curation'],
  after: String.raw`
**The loss mask matters.** The fine-tuning lab's default LoRA run, trained with the loss on every token
(prompt included) instead of the reply only, ends at a held-out reply loss of ${mask.allTokens.valLoss.toFixed(3)} nats
and ${pct(mask.allTokens.exact)} of held-out answers right, against ${mask.replyOnly.valLoss.toFixed(3)} and ${pct(mask.replyOnly.exact)} with the reply-only
mask: the same steps spent mostly on predicting contexts the model will never have to write.

**Does curation change the model? Measured.** The lab's last step fine-tunes the chat model twice with
LoRA (r 8 on every linear layer, ${cmp.steps} steps, same seed): once on all ${cmp.mean.raw.rows} readable rows as they came,
once on the ${cmp.mean.curated.rows} curated training rows — fewer rows, the same number of steps. Both are scored on the
fine-tuning task's held-out prompts. Averaged over ${cmp.seeds.length} seeds:

| trained on | rows | held-out loss | right answers | signature written out (of ${cmp.mean.raw.probes} probes) |
|---|---|---|---|---|
| raw | ${cmp.mean.raw.rows} | ${cmp.mean.raw.valLoss.toFixed(3)} | ${pct(cmp.mean.raw.exact)} | ${cmp.mean.raw.leakedProbes.toFixed(1)} |
| curated | ${cmp.mean.curated.rows} | ${cmp.mean.curated.valLoss.toFixed(3)} | ${pct(cmp.mean.curated.exact)} | ${cmp.mean.curated.leakedProbes.toFixed(1)} |

Seed by seed, curation changed the held-out loss by ${seedRange('valLoss')} and the right answers by
${seedRange('exact')}${sameWay ? ': every seed went the same way, but' : ' — not every seed went the same way, and'} with ${results.task.splits.test} prompts a single run can land
anywhere in that range (one prompt is ${Math.round(100 / results.task.splits.test)} points).
What the raw run learned badly is easier to see than the averages: the legacy rows, weighed ${cmp.manifest.legacyCopies} times over by their
copies, keep the chat model's old habit of answering with the bare span alive; and asked the prompts of the signed
replies again, it often writes out the agent's name and the start of her address or number — it memorized them.
The curated model cannot: masking replaced them before it saw them, and deduplication left one signed reply of each.
Masking alone would have kept all ${cmp.manifest.signed * cmp.manifest.signedCopies} signed replies, masks in place of the addresses, and the model
would still learn to sign; deduplication is what cut their weight.

Try lowering the LSH rows $r$ to 2: more pairs become candidates (more exact checks, same result); raise
the Jaccard threshold to 0.95 and the near duplicates with a changed word come back. Upload your own
JSONL or CSV: nothing leaves the browser.
`,
  quiz: [
    {
      question: 'Why mask the prompt tokens out of the SFT loss?',
      choices: ['To save memory', 'So the model learns to produce replies rather than to imitate users’ questions', 'Because prompts are longer', 'To make the loss smaller'],
      answer: 1,
      explanation: 'Only the reply is what the model should generate; the prompt is context. Loss on prompts spends capacity on predicting users.',
    },
    {
      question: 'With b = 20 bands of r = 5 rows, how likely is a pair with Jaccard similarity 0.5 to become a candidate?',
      choices: ['About 3 %', 'About 47 %', 'About 99.96 %', 'Exactly 50 %'],
      answer: 1,
      explanation: '1 − (1 − 0.5⁵)²⁰ = 1 − (31/32)²⁰ ≈ 0.47; at s = 0.8 it is 0.9996.',
    },
    {
      question: 'An agent’s signed reply appears six times in an SFT set. What does deduplication change, beyond what PII masking does?',
      choices: ['Nothing: masking already removed the problem', 'The reply’s weight in training: one copy instead of six, so the model is less likely to learn to sign its answers', 'It removes the e-mail address', 'It makes training slower'],
      answer: 1,
      explanation: 'Masking keeps the addresses out of the model; the habit of appending a signature is learned from how often it is seen, which deduplication cuts (Kandpal et al. 2022 tie regurgitation to duplication).',
    },
    {
      question: 'A chat example of 30 words fails which Gopher rule with CS336’s thresholds?',
      choices: ['None', 'The minimum of 50 words', 'The ellipsis rule', 'The alphabetic-words rule'],
      answer: 1,
      explanation: 'The rules were written for web documents; short SFT rows need a lower word minimum.',
    },
  ],
  resources: [
    { title: 'Stanford CS336 — assignment 4 (data)', url: 'https://github.com/stanford-cs336/assignment4-data' },
    { title: 'Rae et al. — Gopher (quality filters in appendix A)', url: 'https://arxiv.org/abs/2112.11446' },
    { title: 'Broder — On the resemblance and containment of documents (MinHash)', url: 'https://www.cs.princeton.edu/courses/archive/spring13/cos598C/broder97resemblance.pdf' },
    { title: 'Leskovec, Rajaraman, Ullman — Mining of Massive Datasets, ch. 3 (LSH)', url: 'http://www.mmds.org/' },
    { title: 'Lee et al. — Deduplicating training data makes language models better', url: 'https://arxiv.org/abs/2107.06499' },
    { title: 'Kandpal, Wallace, Raffel — Deduplicating training data mitigates privacy risks in language models', url: 'https://arxiv.org/abs/2202.06539' },
  ],
});
