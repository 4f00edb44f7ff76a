import { defineLessonPart } from '../../types';

/** In String.raw a backtick must be written \` (else it ends the template); this turns it back into a backtick. */
const md = (s: string): string => s.replaceAll('\\`', '`');

export default defineLessonPart({
  topic: '1.1',
  order: 10,
  title: 'Tokens and byte-level BPE',
  body: md(String.raw`
A language model never sees letters or words. Before anything else, a **tokenizer** turns text
into a list of integers — **token ids** — and the model predicts the next id, one at a time.
Every limit you meet later is counted in tokens: the context window, the price per million
tokens, the speed in tokens per second. So it pays to know what a token is.

### Why not words, or characters?
- **Words**: the vocabulary never ends (names, typos, "tokenization-friendly", every language),
  and an unknown word has no id at all.
- **Characters** (or Unicode code points): no unknown words, but sequences get long — the model
  spends its context and compute on single letters — and Unicode has ~150,000 code points.
- **Bytes**: every text is UTF-8 bytes, so 256 symbols cover *everything*, but sequences are even longer.

**Byte-pair encoding (BPE)** starts from bytes and *learns* bigger pieces: it repeatedly finds
the most frequent adjacent pair of symbols in a training corpus and merges it into a new symbol.
Frequent words become one token, rare words are spelled from smaller pieces, and nothing is ever
unknown. GPT-2's tokenizer has $256$ byte tokens $+\;50{,}000$ merges $+\;1$ special token
$= 50{,}257$ ids; GPT-4's cl100k has about 100k and GPT-4o's o200k about 200k.

### Training, step by step
1. **Special tokens** such as \`<|endoftext|>\` (end of a document) or \`<|im_start|>\` (start of a
   chat turn) are cut out first. They get their own ids and are never merged with anything.
2. **Pre-tokenization** splits the rest into "words" with a regular expression (GPT-2's keeps a
   leading space with the word: \`" the"\`, and splits off \`'s\`, digits and punctuation).
   Merges never cross these boundaries, so \`"dog."\` cannot become one token.
3. Each word becomes its UTF-8 bytes. Count every adjacent pair, weighted by how often the word
   occurs. Merge the most frequent pair everywhere (ties: the lexicographically greater pair),
   record the merge, update the counts, repeat until the vocabulary has the size you asked for.

The ids follow the convention of Stanford CS336's assignment: special tokens first, then the 256
bytes, then one id per merge in the order learned. A fast trainer does not recount all pairs after
each merge; it only updates the words that contained the merged pair.

**Encoding** new text replays the merges: split the same way, start from bytes, and always apply
the *earliest-learned* merge that is available, until none is. **Decoding** is simply concatenating
each token's bytes and reading them as UTF-8. Because a token can hold *part* of a character
(an emoji is 4 bytes, a Chinese character 3), a streaming decoder must wait for the rest of the
character before printing it.

### What tokenization does to models
- **Spelling**: \`"strawberry"\` is one to three tokens, not ten letters. The model never *sees* the
  r's, which is why counting letters or reversing words is hard for it.
- **Numbers**: GPT-2 merges digit runs arbitrarily (\`"12345"\` may be \`"123"+"45"\`); newer
  tokenizers split digits into groups of three, which makes arithmetic more regular.
- **Code**: indentation and repeated whitespace cost tokens unless the vocabulary learned them
  (GPT-4's tokenizer has tokens for runs of spaces; GPT-2's mostly does not).
- **Languages**: a tokenizer trained mostly on English spends 2–4× more tokens on Hindi, Korean
  or Russian. Same meaning, shorter context, higher price, slower generation.
- **Case and spaces**: \`"Hello"\`, \`" Hello"\` and \`"HELLO"\` are different tokens with unrelated ids.

### In the lab
Type or paste text and compare five tokenizers on it: token pieces (· is a space, ↵ a newline,
‹e6 97› bytes that are only part of a character), ids, bytes, the token count and characters per
token. Then **train your own BPE** on a shipped corpus or a file of yours, slide the vocabulary
size, and replay the merges one by one: the first merges are the most frequent pairs (\`e\`+\` \`,
\` t\`+\`h\`…), later ones whole words. Your tokenizer joins the comparison — try it on
English, then on the other languages in the mixed sample. Training it ticks task 1.1.a.
`),
  labs: ['tokenizer'],
  quiz: [
    {
      question: 'Why can a byte-level BPE tokenizer encode any text, including emoji it never saw in training?',
      choices: [
        'It falls back to an <unk> token for unknown characters',
        'Its 256 base tokens are the byte values, and any UTF-8 text is a sequence of bytes',
        'It normalises the text to ASCII first',
        'It stores every Unicode code point in its vocabulary',
      ],
      answer: 1,
      explanation: 'The base vocabulary holds all 256 byte values, so in the worst case a text is spelled byte by byte. Merges only make common byte sequences shorter; nothing is ever unknown.',
    },
    {
      question: 'During BPE training, which pair is merged next?',
      choices: [
        'The pair whose merged token is longest',
        'A random pair, for regularisation',
        'The most frequent adjacent pair in the pre-tokenized corpus (ties broken by a fixed rule)',
        'The pair that appears in the most distinct documents',
      ],
      answer: 2,
      explanation: 'Each step counts adjacent symbol pairs inside pre-tokens, weighted by how often each word occurs, and merges the most frequent one. CS336 breaks ties by taking the lexicographically greater pair of byte strings.',
    },
    {
      question: 'A model often miscounts the letters in "strawberry". What is the tokenization reason?',
      choices: [
        'The word is split into a few multi-letter tokens, so the individual letters are not in its input',
        'The tokenizer lowercases everything',
        'The word is longer than the context window',
        'Letters are removed during pre-tokenization',
      ],
      answer: 0,
      explanation: 'The model receives ids for pieces like "str" + "awberry". How those pieces are spelled is something it must have memorised, not something it can read off its input.',
    },
    {
      question: 'The same paragraph costs 60 tokens in English and 180 in Hindi with one tokenizer. What follows?',
      choices: [
        'Nothing: cost and speed depend on characters, not tokens',
        'The Hindi text uses three times more of the context window, costs three times more per call, and takes longer to generate',
        'The model will answer in English',
        'The tokenizer is broken and should be retrained on English',
      ],
      answer: 1,
      explanation: 'Context limits, API prices and generation speed are all per token. A tokenizer trained mostly on English splits other scripts into many small (often byte-level) pieces.',
    },
    {
      question: 'Why should text typed by a user be encoded with no special tokens allowed?',
      choices: [
        'Special tokens are slower to encode',
        'So that a user who types "<|im_end|>" cannot inject a real control token into a chat prompt',
        'Because special tokens are not in the vocabulary',
        'To make the token count smaller',
      ],
      answer: 1,
      explanation: 'Control tokens end turns or documents. Untrusted text is encoded with no special tokens allowed, so the same characters become ordinary tokens — the lab does this for what you type.',
    },
  ],
  resources: [
    { title: 'Maxime Labonne — LLM Course (tokenization, LLM architecture)', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'Stanford CS336 (Spring 2025) — assignment 1: BPE tokenizer', url: 'https://stanford-cs336.github.io/spring2025/' },
    { title: 'Sennrich, Haddow & Birch (2016): Neural Machine Translation of Rare Words with Subword Units', url: 'https://arxiv.org/abs/1508.07909' },
    { title: 'Andrej Karpathy — Let\'s build the GPT Tokenizer (video) and minbpe', url: 'https://github.com/karpathy/minbpe' },
    { title: 'OpenAI tiktoken', url: 'https://github.com/openai/tiktoken' },
    { title: 'Hugging Face — Byte-Pair Encoding tokenization (LLM course chapter)', url: 'https://huggingface.co/learn/llm-course/chapter6/5' },
  ],
});
