/**
 * Rule-based quality filters and PII masking for SFT data, after Stanford CS336 assignment 4
 * (spring 2025) and Gopher (Rae et al. 2021, appendix A):
 *
 *   Gopher rules — a text fails when it
 *     · has fewer than 50 or more than 100,000 words,
 *     · has a mean word length outside 3…10 characters,
 *     · has more than 30 % of its lines ending with "...",
 *     · has fewer than 80 % of its words containing an alphabetic character.
 *   (Thresholds written for web pages: a chat reply of 20 words fails the first rule, so the lab
 *   lets the learner lower `minWords` and says so.)
 *
 *   PII masking — e-mail addresses → |||EMAIL_ADDRESS|||, phone numbers → |||PHONE_NUMBER|||,
 *   IPv4 addresses → |||IP_ADDRESS|||; each masker returns the new text and how many it replaced.
 * Words are whitespace-separated tokens (CS336 suggests nltk.word_tokenize; close enough here).
 */

/** Gopher thresholds (CS336 A4 defaults). */
export interface GopherThresholds {
  minWords: number;
  maxWords: number;
  minMeanWordLength: number;
  maxMeanWordLength: number;
  /** Largest allowed fraction of lines ending with "...". */
  maxEllipsisLines: number;
  /** Smallest allowed fraction of words with at least one alphabetic character. */
  minAlphaWords: number;
}

/** CS336 assignment 4's thresholds. */
export const GOPHER_THRESHOLDS: GopherThresholds = {
  minWords: 50, maxWords: 100_000, minMeanWordLength: 3, maxMeanWordLength: 10, maxEllipsisLines: 0.3, minAlphaWords: 0.8,
};

/** The statistics the rules look at. */
export interface GopherStats {
  words: number;
  meanWordLength: number;
  ellipsisLines: number;
  alphaWords: number;
}

/** Measures a text for the Gopher rules. */
export function gopherStats(text: string): GopherStats {
  const words = text.split(/\s+/).filter(Boolean);
  const lines = text.split('\n').filter((l) => l.trim().length);
  const n = words.length;
  return {
    words: n,
    meanWordLength: n ? words.reduce((s, w) => s + [...w].length, 0) / n : 0,
    ellipsisLines: lines.length ? lines.filter((l) => /(\.\.\.|…)\s*$/.test(l)).length / lines.length : 0,
    alphaWords: n ? words.filter((w) => /\p{L}/u.test(w)).length / n : 0,
  };
}

/** The reasons a text fails the Gopher rules (empty when it passes). */
export function gopherFailures(text: string, t: GopherThresholds = GOPHER_THRESHOLDS): string[] {
  const s = gopherStats(text);
  const out: string[] = [];
  if (s.words < t.minWords) out.push(`${s.words} words (< ${t.minWords})`);
  if (s.words > t.maxWords) out.push(`${s.words} words (> ${t.maxWords})`);
  if (s.words && (s.meanWordLength < t.minMeanWordLength || s.meanWordLength > t.maxMeanWordLength))
    out.push(`mean word length ${s.meanWordLength.toFixed(1)} (outside ${t.minMeanWordLength}–${t.maxMeanWordLength})`);
  if (s.ellipsisLines > t.maxEllipsisLines) out.push(`${Math.round(100 * s.ellipsisLines)} % of lines end with "..." (> ${100 * t.maxEllipsisLines} %)`);
  if (s.words && s.alphaWords < t.minAlphaWords) out.push(`${Math.round(100 * s.alphaWords)} % of words have a letter (< ${100 * t.minAlphaWords} %)`);
  return out;
}

/** True when the text passes every Gopher rule. */
export function passesGopher(text: string, t: GopherThresholds = GOPHER_THRESHOLDS): boolean {
  return gopherFailures(text, t).length === 0;
}

export const EMAIL_MASK = '|||EMAIL_ADDRESS|||';
export const PHONE_MASK = '|||PHONE_NUMBER|||';
export const IP_MASK = '|||IP_ADDRESS|||';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Phone numbers with an area code: +1 (555) 123-4567, 555-123-4567, 555.123.4567, 5551234567,
// +44 20 7946 0958; or a local 555-1234. Not preceded by a word character, '.', or '+'.
const PHONE = /(?<![\w.+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?\d{3,4}[\s.-]?\d{4}|\d{2,4}[\s.-]\d{3,4}[\s.-]\d{4}|\d{3}[\s.-]\d{4}|\d{10})(?!\w)/g;
const IPV4 = /(?<!\d|\d\.)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;

function replaceCount(text: string, re: RegExp, mask: string): [string, number] {
  let n = 0;
  const out = text.replace(re, () => {
    n++;
    return mask;
  });
  return [out, n];
}

/** Replaces e-mail addresses with |||EMAIL_ADDRESS|||; returns the text and the count. */
export function maskEmails(text: string): [string, number] {
  return replaceCount(text, EMAIL, EMAIL_MASK);
}

/** Replaces IPv4 addresses with |||IP_ADDRESS|||. */
export function maskIPs(text: string): [string, number] {
  return replaceCount(text, IPV4, IP_MASK);
}

/** Replaces phone numbers (7+ digits in the usual groupings) with |||PHONE_NUMBER|||. */
export function maskPhones(text: string): [string, number] {
  return replaceCount(text, PHONE, PHONE_MASK);
}

/** All three maskers (e-mail first, then IPs — so their digits are not read as phones — then phones). */
export function maskPII(text: string): { text: string; emails: number; phones: number; ips: number } {
  const [a, emails] = maskEmails(text);
  const [b, ips] = maskIPs(a);
  const [c, phones] = maskPhones(b);
  return { text: c, emails, phones, ips };
}

/** The e-mail addresses, IP addresses and phone numbers written out in a text (in the order maskPII finds them). */
export function findPII(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (const [re, mask] of [[EMAIL, EMAIL_MASK], [IPV4, IP_MASK], [PHONE, PHONE_MASK]] as const) {
    for (const x of rest.matchAll(re)) out.push(x[0]);
    rest = rest.replace(re, mask);
  }
  return out;
}
