/**
 * Agreement statistics over N runs of the same prompt (self-consistency): how often the runs
 * give the same answer, which answer wins the vote, and how spread out the answers are.
 */

/** Case-, space- and punctuation-insensitive form used to compare answers. */
export function normalizeAnswer(answer: string): string {
  return answer
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[*_`"'“”‘’]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.,;:!?]+$/g, '')
    .trim()
    // "42.0" and "42" are the same number
    .replace(/^(-?\d+)\.0+$/, '$1');
}

export interface AnswerCount {
  /** normalized answer ('' = no answer) */
  answer: string;
  /** the first original spelling seen */
  display: string;
  count: number;
}

export interface AgreementStats {
  runs: number;
  /** answers by frequency, most common first (ties: first seen first) */
  counts: AnswerCount[];
  /** the majority (self-consistency) answer, or null without runs */
  majority: string | null;
  /** share of runs that gave the majority answer, 0..1 */
  agreement: number;
  distinct: number;
  /** Shannon entropy of the answer distribution in bits (0 = all runs agree) */
  entropyBits: number;
  /** share of runs whose answer equals `expected`, when given */
  accuracy?: number;
  /** whether the majority vote equals `expected`, when given */
  majorityCorrect?: boolean;
}

/** Computes agreement over the answers of N runs; `expected` adds accuracy figures. */
export function agreement(answers: string[], expected?: string): AgreementStats {
  const map = new Map<string, AnswerCount>();
  for (const a of answers) {
    const key = normalizeAnswer(a);
    const entry = map.get(key);
    if (entry) entry.count++;
    else map.set(key, { answer: key, display: a.trim(), count: 1 });
  }
  // Map keeps insertion order; a stable sort keeps first-seen first among ties.
  const counts = [...map.values()].sort((a, b) => b.count - a.count);
  const runs = answers.length;
  let entropyBits = 0;
  for (const c of counts) {
    const p = c.count / runs;
    entropyBits -= p * Math.log2(p);
  }
  const stats: AgreementStats = {
    runs,
    counts,
    majority: counts[0]?.answer ?? null,
    agreement: runs ? counts[0].count / runs : 0,
    distinct: counts.length,
    entropyBits: Math.abs(entropyBits),
  };
  if (expected !== undefined && expected.trim()) {
    const want = normalizeAnswer(expected);
    stats.accuracy = runs ? answers.filter((a) => normalizeAnswer(a) === want).length / runs : 0;
    stats.majorityCorrect = stats.majority === want;
  }
  return stats;
}
