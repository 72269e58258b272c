import { describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES } from './followup.ts';
import { PLAIN_LANGUAGE_GRADE, readingGrade, syllables } from './readingGrade.ts';

describe('readingGrade (Flesch–Kincaid)', () => {
  it('counts syllables by rule', () => {
    expect(
      [
        'take',
        'one',
        'morning',
        'dizzy',
        'table',
        'booked',
        'rested',
        'medication',
        'adherence',
        '',
      ].map(syllables),
    ).toEqual([1, 1, 2, 2, 2, 1, 2, 4, 3, 0]);
  });

  it('computes the grade of hand-counted texts', () => {
    // 11 words, 2 sentences, 13 syllables: 0.39 × 5.5 + 11.8 × 13/11 − 15.59 = 0.50
    expect(readingGrade('Take one pill each morning. Call us if you feel dizzy.')).toEqual({
      words: 11,
      sentences: 2,
      syllables: 13,
      grade: 0.5,
    });
    // 6 words, 1 sentence, 24 syllables: 0.39 × 6 + 11.8 × 4 − 15.59 = 33.95
    expect(
      readingGrade('Hypertension medication adherence necessitates consistent administration.')
        .grade,
    ).toBe(34);
    // Lines without a full stop are sentences (action items), and a negative grade is 0.
    expect(readingGrade('Rest\nIce').sentences).toBe(2);
    expect(readingGrade('The cat sat on the mat.').grade).toBe(0);
    expect(readingGrade('  12 34 … ')).toEqual({
      words: 0,
      sentences: 0,
      syllables: 0,
      grade: null,
    });
  });

  it('keeps Uptake’s templates in plain language', () => {
    for (const t of BUILTIN_TEMPLATES)
      expect(readingGrade(t.text).grade, t.name).toBeLessThanOrEqual(PLAIN_LANGUAGE_GRADE);
  });
});
