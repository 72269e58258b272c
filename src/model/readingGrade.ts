/**
 * The reading grade of a follow-up as its author types it (engagement.md §3: "its reading grade is
 * shown while writing"): the Flesch–Kincaid grade level, 0.39 × words per sentence + 11.8 ×
 * syllables per word − 15.59 (Kincaid et al. 1975, the formula the U.S. Navy adopted; patient
 * materials are advised to read at grade 6–8, e.g. AMA, Weiss 2007). Used by the web app while
 * typing and by the server when it stores a follow-up, so both show the same number.
 *
 * Syllables are counted by rule (vowel groups, a silent final "e", "-le" after a consonant), an
 * estimate good to about one syllable in ten on ordinary English: the grade is a guide for
 * plain language, not a measurement.
 */

/** The grade patient materials should not exceed (the upper end of the advised 6–8). */
export const PLAIN_LANGUAGE_GRADE = 8;

/** Syllables of one English word, by rule (at least 1). */
export function syllables(word: string): number {
  const w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  const groups = w.match(/[aeiouy]+/g)?.length ?? 0;
  let n = groups;
  // A final "e" is silent ("take", "time"), but not in "-le" after a consonant ("table", "simple").
  if (/[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w)) n -= 1;
  // "-es"/"-ed" after most consonants add no syllable ("takes", "booked"), after t/d/s/x/z they do.
  if (/[^aeiouytdsxz](es|ed)$/.test(w)) n -= 1;
  return Math.max(1, n);
}

/** Words, sentences and syllables of a text, and its Flesch–Kincaid grade (null: no words). */
export function readingGrade(text: string): {
  words: number;
  sentences: number;
  syllables: number;
  grade: number | null;
} {
  const words = text.match(/[A-Za-z][A-Za-z'’-]*/g) ?? [];
  if (words.length === 0) return { words: 0, sentences: 0, syllables: 0, grade: null };
  // A sentence ends at . ! ? or a line break (action items are often one per line, unpunctuated).
  const sentences = Math.max(1, text.split(/[.!?]+|\n+/).filter((s) => /[A-Za-z]/.test(s)).length);
  const syl = words.reduce((n, w) => n + syllables(w), 0);
  const grade = 0.39 * (words.length / sentences) + 11.8 * (syl / words.length) - 15.59;
  return {
    words: words.length,
    sentences,
    syllables: syl,
    grade: Math.round(Math.max(0, grade) * 10) / 10,
  };
}
