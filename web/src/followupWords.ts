/**
 * Follow-ups in words (engagement.md §3), shared by the physician's pages and the patient's:
 * a visit as the physician recognises it (never a patient identifier), the kinds of action item,
 * and the reading grade of a text as its author types it.
 */
import type { FollowupItemKind } from '../../src/model/followup.ts';
import { FOLLOWUP_LIMITS } from '../../src/model/constants.ts';
import { PLAIN_LANGUAGE_GRADE, readingGrade } from '../../src/model/readingGrade.ts';
import { ApiError, type ApiResponse } from './api.ts';
import { zonedWords } from './dates.ts';

export type Visit = ApiResponse<'GET /api/me/visits'>['visits'][number];
export type Followup = ApiResponse<'GET /api/me/followups'>[number];
export type FollowupTemplate = ApiResponse<'GET /api/me/followup-templates'>[number];
export type PatientFollowup = ApiResponse<'POST /api/patient/followup'>;

/** Why a request failed, in words, to follow "… was not sent: ". */
export function problemText(e: unknown): string {
  return e instanceof ApiError && e.status !== 0
    ? e.message
    : 'the server could not be reached; try again.';
}

/** The server's limits, from the model (zod-free). */
export const LIMITS = FOLLOWUP_LIMITS;

export const ITEM_KINDS: Record<FollowupItemKind, string> = {
  medicine: 'Medicine',
  test: 'Test',
  visit: 'Visit',
  other: 'Other',
};

const VISIT_TYPES: Record<string, string> = {
  'in-person': 'in-person visit',
  video: 'video visit',
  phone: 'phone visit',
};

/** "Mon 19 Jan 2026, 09:30 · video visit", in the organisation's zone `tz`. */
export function visitLabel(start: string, visitType: string, tz: string): string {
  return `${zonedWords(start, tz)} · ${VISIT_TYPES[visitType] ?? visitType}`;
}

export interface GradeWords {
  /** "Reading grade 6.2 — plain language (aim for 8 or lower)". */
  text: string;
  /** "9.5 words per sentence", or empty. */
  detail: string;
  /** Above the plain-language grade. */
  warn: boolean;
}

/** The reading grade of `text` in words, as shown live under the text box. */
export function gradeWords(text: string): GradeWords {
  const g = readingGrade(text);
  if (g.grade === null)
    return { text: 'Reading grade: shown once you write a sentence.', detail: '', warn: false };
  const perSentence = `${(g.words / g.sentences).toFixed(1)} words per sentence`;
  if (g.grade <= PLAIN_LANGUAGE_GRADE)
    return {
      text: `Reading grade ${g.grade.toFixed(1)} — plain language (aim for ${PLAIN_LANGUAGE_GRADE} or lower)`,
      detail: perSentence,
      warn: false,
    };
  return {
    text: `Reading grade ${g.grade.toFixed(1)} — harder than plain language (aim for ${PLAIN_LANGUAGE_GRADE} or lower: shorter sentences, shorter words)`,
    detail: perSentence,
    warn: true,
  };
}
