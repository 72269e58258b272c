/**
 * How the web app names, formats and explains the patient-engagement measures
 * (docs/engagement.md): each measure's label, its definition in the words of the docs, the block
 * whose denominator it rests on (what the small-cell rule hides), and the formats people read —
 * shares beside their numerator and denominator, business hours as hours or business days.
 */
// The model's row is the API's (`engagementRowOut`); taken from the model so that this file needs
// no DOM and the suggestion's unit test (src/web/engagementSuggestion.test.ts) runs in Node.
import type { EngagementBlock, EngagementRow } from '../../src/model/engagement.ts';

export type { EngagementBlock, EngagementRow };

/** The CMS small-cell rule of engagement.md: what a hidden cell says instead of a number. */
export const PATIENTS_HIDDEN = 'fewer than 11 patients: not shown';

/** The business hours of one business day (08:00–17:00): "within 1 business day" is ≤ 9. */
export const BUSINESS_DAY_HOURS = 9;

/** A share of the API, its numerator and its denominator. */
type ShareKey =
  | 'activated_share'
  | 'active_share'
  | 'regular_share'
  | 'vdt_share'
  | 'patient_message_share'
  | 'timely_access_share'
  | 'replied_within_1bd_share'
  | 'results_viewed_7d_share';
type CountKey = {
  [K in keyof EngagementRow]: EngagementRow[K] extends number | null ? K : never;
}[keyof EngagementRow];

export interface ShareInfo {
  key: ShareKey;
  label: string;
  /** The definition of docs/engagement.md, in a sentence. */
  definition: string;
  numerator: CountKey;
  denominator: CountKey;
  /** What the denominator counts ("patients seen", "patient messages"). */
  of: string;
  block: EngagementBlock;
}

export const SHARES: Record<ShareKey, ShareInfo> = {
  activated_share: {
    key: 'activated_share',
    label: 'Activated portal account',
    definition:
      'Of the patients seen, those with a portal account active at some time in the period (activated before its end, not deactivated before its start).',
    numerator: 'activated',
    denominator: 'patients_seen',
    of: 'patients seen',
    block: 'seen',
  },
  active_share: {
    key: 'active_share',
    label: 'Used the portal',
    definition: 'Of the patients seen, those with any portal action in the period.',
    numerator: 'active',
    denominator: 'patients_seen',
    of: 'patients seen',
    block: 'seen',
  },
  regular_share: {
    key: 'regular_share',
    label: 'Used it on 2 or more days',
    definition:
      'Of the patients seen, those with portal actions on two or more local days in the period.',
    numerator: 'regular',
    denominator: 'patients_seen',
    of: 'patients seen',
    block: 'seen',
  },
  vdt_share: {
    key: 'vdt_share',
    label: 'Viewed, downloaded or transmitted',
    definition:
      'Of the patients seen, those who viewed, downloaded or transmitted anything in the period.',
    numerator: 'vdt',
    denominator: 'patients_seen',
    of: 'patients seen',
    block: 'seen',
  },
  patient_message_share: {
    key: 'patient_message_share',
    label: 'Messaged their physician',
    definition: 'Of the patients seen, those who sent the clinician a message in the period.',
    numerator: 'messaged',
    denominator: 'patients_seen',
    of: 'patients seen',
    block: 'seen',
  },
  timely_access_share: {
    key: 'timely_access_share',
    label: 'Timely access',
    definition:
      'Of the notes and visit summaries released for the period’s visits, those available before midnight, local time, of the fourth business day after the visit.',
    numerator: 'releases_timely',
    denominator: 'releases',
    of: 'notes and visit summaries',
    block: 'access',
  },
  replied_within_1bd_share: {
    key: 'replied_within_1bd_share',
    label: 'Answered within 1 business day',
    definition:
      'Of the patient messages sent in the period, answered or not, those answered within 9 business hours (Monday–Friday 08:00–17:00 local, outside holidays).',
    numerator: 'messages_within_1bd',
    denominator: 'patient_messages',
    of: 'patient messages',
    block: 'messages',
  },
  results_viewed_7d_share: {
    key: 'results_viewed_7d_share',
    label: 'Results viewed within 7 days',
    definition:
      'Of the results released in the period, those the patient first viewed within 7 days of their release.',
    numerator: 'results_viewed_7d',
    denominator: 'results',
    of: 'results',
    block: 'results',
  },
};

/** The medians, with their definitions and what they pool. */
export const MEDIANS = {
  reply_business_hours: {
    label: 'Median reply time',
    definition:
      'The median business hours (Monday–Friday 08:00–17:00 local, outside holidays) from a patient’s message to the clinician’s first answer — by reply, else the next message to that patient within 7 days — over the messages answered; unanswered ones are counted apart.',
    block: 'messages' as EngagementBlock,
  },
  result_view_hours: {
    label: 'Median time to view a result',
    definition:
      'The median hours from a result’s release to the patient’s first view of it, over results viewed within 30 days.',
    block: 'results' as EngagementBlock,
  },
} as const;

/** Patients seen: the denominator of the portal shares. */
export const PATIENTS_SEEN_DEFINITION =
  'Distinct patients with a fulfilled or arrived appointment with the clinician starting in the period; a group adds up its clinicians’ patients.';

/**
 * Whether a block of `r` is hidden from this viewer: in `suppressed` and the answer redacted
 * (everyone but administrators, whose figures come whole and are only marked).
 */
export function hiddenBlock(r: EngagementRow, block: EngagementBlock, redacted: boolean): boolean {
  return redacted && r.suppressed.includes(block);
}

/** A share as a percentage: whole percents, one decimal below 10% (small shares matter here). */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const p = v * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** A count with thousands separators. */
export function count(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : v.toLocaleString('en');
}

/** "3,694 of 8,455 patients seen". */
export function ofText(r: EngagementRow, s: ShareInfo): string {
  return `${count(r[s.numerator])} of ${count(r[s.denominator])} ${s.of}`;
}

/**
 * Business hours as people say them, as a number and its unit: "6" "business hours" under one
 * business day, else business days of 9 hours ("2.5" "business days").
 */
export function businessTimeParts(hours: number | null | undefined): {
  value: string;
  unit: string;
} {
  if (hours === null || hours === undefined || Number.isNaN(hours)) return { value: '—', unit: '' };
  if (hours < BUSINESS_DAY_HOURS) {
    const h = hours < 1 ? hours.toFixed(1) : hours.toFixed(0);
    return { value: h, unit: h === '1' ? 'business hour' : 'business hours' };
  }
  const d = (hours / BUSINESS_DAY_HOURS).toFixed(1);
  return { value: d, unit: d === '1.0' ? 'business day' : 'business days' };
}

/** "6 business hours", "2.5 business days", or a dash. */
export function businessTime(hours: number | null | undefined): string {
  const { value, unit } = businessTimeParts(hours);
  return unit ? `${value} ${unit}` : value;
}

/** Hours to one decimal ("3.7 hours"), or a dash. */
export function hoursText(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || Number.isNaN(hours)) return '—';
  return `${hours.toFixed(1)} hours`;
}
