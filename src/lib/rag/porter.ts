/**
 * The Porter (1980) stemming algorithm, as in Martin Porter's reference implementation
 * (the one Lucene's PorterStemFilter and Anserini's default analyzer use). Input: a lowercase word.
 */

const isCons = (w: string, i: number): boolean => {
  const c = w[i];
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return false;
  if (c === 'y') return i === 0 ? true : !isCons(w, i - 1);
  return true;
};

/** m(): the number of VC sequences in w[0..j] (the "measure"). */
function measure(w: string, j: number): number {
  let n = 0;
  let i = 0;
  for (;;) {
    if (i > j) return n;
    if (!isCons(w, i)) break;
    i++;
  }
  i++;
  for (;;) {
    for (;;) {
      if (i > j) return n;
      if (isCons(w, i)) break;
      i++;
    }
    i++;
    n++;
    for (;;) {
      if (i > j) return n;
      if (!isCons(w, i)) break;
      i++;
    }
    i++;
  }
}

const hasVowel = (w: string, j: number): boolean => {
  for (let i = 0; i <= j; i++) if (!isCons(w, i)) return true;
  return false;
};
const doubleCons = (w: string, j: number): boolean => j >= 1 && w[j] === w[j - 1] && isCons(w, j);
/** cvc(i): consonant-vowel-consonant ending, the last not w, x or y. */
const cvc = (w: string, i: number): boolean => {
  if (i < 2 || !isCons(w, i) || isCons(w, i - 1) || !isCons(w, i - 2)) return false;
  const c = w[i];
  return c !== 'w' && c !== 'x' && c !== 'y';
};

/** Replaces suffix `s` by `r` when the stem before it has measure > `minM`; returns null if `s` doesn't end w. */
function rule(w: string, s: string, r: string, minM: number): string | null {
  if (!w.endsWith(s)) return null;
  const stem = w.slice(0, w.length - s.length);
  return measure(stem, stem.length - 1) > minM ? stem + r : w;
}

const STEP2: Array<[string, string]> = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['bli', 'ble'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
];
const STEP3: Array<[string, string]> = [['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', '']];
const STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'];

/** Stems one lowercase word (words of 1–2 letters are returned unchanged). */
export function porterStem(word: string): string {
  let w = word;
  if (w.length <= 2) return w;
  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.endsWith('ss')) {
    /* keep */
  } else if (w.endsWith('s')) w = w.slice(0, -1);
  // Step 1b
  let extra = false;
  if (w.endsWith('eed')) {
    const stem = w.slice(0, -3);
    if (measure(stem, stem.length - 1) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w, w.length - 3)) {
    w = w.slice(0, -2);
    extra = true;
  } else if (w.endsWith('ing') && hasVowel(w, w.length - 4)) {
    w = w.slice(0, -3);
    extra = true;
  }
  if (extra) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (doubleCons(w, w.length - 1) && !/[lsz]$/.test(w)) w = w.slice(0, -1);
    else if (measure(w, w.length - 1) === 1 && cvc(w, w.length - 1)) w += 'e';
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w, w.length - 2)) w = w.slice(0, -1) + 'i';
  // Step 2
  for (const [s, r] of STEP2) {
    const out = rule(w, s, r, 0);
    if (out !== null) {
      w = out;
      break;
    }
  }
  // Step 3
  for (const [s, r] of STEP3) {
    const out = rule(w, s, r, 0);
    if (out !== null) {
      w = out;
      break;
    }
  }
  // Step 4
  for (const s of STEP4) {
    if (!w.endsWith(s)) continue;
    const stem = w.slice(0, w.length - s.length);
    if (measure(stem, stem.length - 1) > 1) {
      if (s === 'ion') {
        if (/[st]$/.test(stem)) w = stem;
      } else w = stem;
    }
    break;
  }
  // Step 5a
  if (w.endsWith('e')) {
    const stem = w.slice(0, -1);
    const m = measure(stem, stem.length - 1);
    if (m > 1 || (m === 1 && !cvc(stem, stem.length - 1))) w = stem;
  }
  // Step 5b
  if (w.endsWith('ll') && measure(w, w.length - 1) > 1) w = w.slice(0, -1);
  return w;
}
