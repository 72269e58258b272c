/**
 * How the web app names, formats and explains each metric. The normative definitions come from
 * the API (`definitions`); the short texts here are fallbacks and the labels people read first.
 */
import type { Per8Metric } from '../../src/model/metricRow.ts';
import type { GroupKind, MetricOptions, ReportMeta } from './api.ts';
import { rangeWords } from './dates.ts';

export interface MetricInfo {
  key: string;
  /** The AMA name, e.g. "EHR-Time8". */
  label: string;
  /** What it measures, in a few words. */
  short: string;
  /** Fewer words still, for small chart titles. */
  brief: string;
  /** The formula, used when the API sends no definition. */
  fallback: string;
  /** `score`: a survey score of §3 in its own points (SUS 0–100, NPS and net −100..100). */
  unit: 'per8' | 'hours' | 'share' | 'minutes' | 'score';
  /** True when a lower value means less burden. */
  lowerIsBetter: boolean;
}

export const METRICS: Record<string, MetricInfo> = {
  ehr_time8: {
    key: 'ehr_time8',
    brief: 'all EHR time',
    label: 'EHR-Time8',
    short: 'EHR time per 8 hours of scheduled patient time',
    fallback: 'EHR hours × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  wow8: {
    key: 'wow8',
    brief: 'outside scheduled clinic',
    label: 'WOW8',
    short: 'Work outside work: EHR time outside scheduled clinic, per 8 scheduled hours',
    fallback: 'EHR hours outside work × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  ib_time8: {
    key: 'ib_time8',
    brief: 'inbox',
    label: 'IB-Time8',
    short: 'Inbox time per 8 scheduled hours',
    fallback: 'inbox hours × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  note_time8: {
    key: 'note_time8',
    brief: 'notes',
    label: 'Note-Time8',
    short: 'Note-writing time per 8 scheduled hours',
    fallback: 'note hours × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  pres_time8: {
    key: 'pres_time8',
    brief: 'prescriptions',
    label: 'Pres-Time8',
    short: 'Prescribing time per 8 scheduled hours',
    fallback: 'prescription hours × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  after_hours_hours: {
    key: 'after_hours_hours',
    brief: 'evenings, nights, weekends',
    label: 'After-hours time',
    short: 'EHR hours in the evening, at night and at weekends',
    fallback: 'EHR hours on weekdays 17:30–07:00 and at weekends (the pajama window)',
    unit: 'hours',
    lowerIsBetter: true,
  },
  after_hours8: {
    key: 'after_hours8',
    brief: 'evenings, nights, weekends',
    label: 'After-hours time',
    short: 'EHR time in the evening, at night and at weekends, per 8 scheduled hours',
    fallback:
      'EHR hours on weekdays 17:30–07:00 and at weekends (the pajama window) × 8 / scheduled hours',
    unit: 'per8',
    lowerIsBetter: true,
  },
  undivided_attention: {
    key: 'undivided_attention',
    brief: 'visit time without EHR use',
    label: 'Undivided attention',
    short: 'Share of visit time without EHR use',
    fallback: '1 − EHR hours during visits / visit hours',
    unit: 'share',
    lowerIsBetter: false,
  },
  teamwork_orders: {
    key: 'teamwork_orders',
    brief: 'orders entered by the team',
    label: 'Teamwork for orders',
    short: 'Share of orders entered by a team member',
    fallback: 'orders entered by someone else / orders signed',
    unit: 'share',
    lowerIsBetter: false,
  },
  ehr_minutes_per_appointment: {
    key: 'ehr_minutes_per_appointment',
    brief: 'EHR minutes per appointment',
    label: 'EHR minutes per appointment',
    short: 'EHR minutes per appointment kept',
    fallback: 'EHR hours × 60 / appointments',
    unit: 'minutes',
    lowerIsBetter: true,
  },
  // A tool's adoption shares, which a goal may target (the tool named beside them).
  'adoption.active_share': {
    key: 'adoption.active_share',
    brief: 'weekly active users',
    label: 'Weekly active share',
    short: 'Share of the clinicians the tool is meant for who used it that week',
    fallback: 'clinicians who used the tool in the week / eligible clinicians',
    unit: 'share',
    lowerIsBetter: false,
  },
  'adoption.habitual_share': {
    key: 'adoption.habitual_share',
    brief: 'habitual users',
    label: 'Habitual share',
    short: 'Share of eligible clinicians who use the tool habitually',
    fallback:
      'clinicians who used the tool at its habit threshold in 3 of the last 4 weeks / eligible clinicians',
    unit: 'share',
    lowerIsBetter: false,
  },
  'survey.sus': {
    key: 'survey.sus',
    brief: 'SUS score',
    label: 'SUS score',
    short: 'System Usability Scale, the mean of the week’s responses (0–100)',
    fallback:
      'each response 2.5 × (Σ odd items (answer − 1) + Σ even items (5 − answer)) of its ten 1–5 answers; the mean over the week’s responses; a week with fewer responses than the suppression threshold has no value',
    unit: 'score',
    lowerIsBetter: false,
  },
  'survey.nps': {
    key: 'survey.nps',
    brief: 'NPS',
    label: 'Net Promoter Score',
    short: 'Promoters minus detractors among the week’s responses (−100 to 100)',
    fallback:
      '100 × (promoters answering 9–10 − detractors answering 0–6) / respondents that week; a week with fewer responses than the suppression threshold has no value',
    unit: 'score',
    lowerIsBetter: false,
  },
  'survey.net': {
    key: 'survey.net',
    brief: 'net satisfaction',
    label: 'Net satisfaction',
    short: 'Agreement minus disagreement among the week’s responses (−100 to 100)',
    fallback:
      '100 × the mean over the week’s respondents of (answers 4–5 − answers 1–2) / items answered; a week with fewer responses than the suppression threshold has no value',
    unit: 'score',
    lowerIsBetter: false,
  },
};

export type { Per8Metric };

/** The per-8-hour metrics, in the order the pages show them. */
export const PER8: readonly Per8Metric[] = [
  'ehr_time8',
  'wow8',
  'ib_time8',
  'note_time8',
  'pres_time8',
];

export function info(key: string): MetricInfo {
  return (
    METRICS[key] ?? {
      key,
      label: key,
      short: key.replaceAll('_', ' '),
      brief: key.replaceAll('_', ' '),
      fallback: key,
      unit: 'hours',
      lowerIsBetter: true,
    }
  );
}

/**
 * The definition to show beside a number: the API's when it has one (without its leading
 * "EHR-Time8:", since the name stands beside it), else the short text and formula.
 */
export function definitionOf(key: string, defs: Record<string, string> | undefined): string {
  const m = info(key);
  const d = defs?.[key];
  if (!d) return `${m.short}: ${m.fallback}.`;
  const colon = d.indexOf(': ');
  const text =
    colon > 0 && colon < 60 && d.startsWith(m.label.split(' ')[0] ?? m.label)
      ? d.slice(colon + 2)
      : d;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A value for people: 2 decimals for hours, a percentage for shares, a dash for "undefined". */
export function fmt(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const u = info(key).unit;
  if (u === 'share') return `${(v * 100).toFixed(0)}%`;
  if (u === 'minutes') return v.toFixed(0);
  if (u === 'score') return v.toFixed(1);
  return v.toFixed(2);
}

export function unitText(key: string): string {
  switch (info(key).unit) {
    case 'per8':
      return 'hours per 8 scheduled hours';
    case 'hours':
      return 'hours';
    case 'share':
      return 'of the time';
    case 'minutes':
      return 'minutes';
    case 'score':
      return 'points';
  }
}

/** A value in the unit a chart axis uses (percentages as 0–100). */
export function axisValue(key: string, v: number | null | undefined): number | null {
  if (v === null || v === undefined || Number.isNaN(v)) return null;
  return info(key).unit === 'share' ? Math.round(v * 1000) / 10 : Math.round(v * 1000) / 1000;
}

export function axisName(key: string): string {
  const u = info(key).unit;
  if (u === 'score') return 'points';
  return u === 'share' ? '%' : u === 'per8' ? 'h / 8 h' : u === 'minutes' ? 'min' : 'h';
}

const WOW_TEXT: Record<MetricOptions['wow'], string> = {
  schedule: 'outside scheduled sessions',
  schedule30: 'outside scheduled sessions and 30 minutes either side',
  outside7to7: 'every day 19:00–07:00',
  pajama: 'weekdays 17:30–07:00 and weekends (pajama time)',
  after18to06: 'weekdays 18:00–06:00 and weekends',
};

/** One sentence of the options a report was computed with (spec §2, §8). */
export function optionsText(o: MetricOptions): string {
  return [
    `time zone ${o.timezone}`,
    `gaps up to ${o.timeout_seconds} s count as EHR time (longer gaps ${
      o.over_timeout === 'drop' ? 'count as nothing' : `count as ${o.timeout_seconds} s`
    })`,
    `a gap is credited to the ${o.direction === 'forward' ? 'earlier' : 'later'} event's category`,
    o.attribution === 'split'
      ? 'time split exactly at every clock boundary'
      : 'time counted where its event stands',
    `appointments up to ${o.session_merge_gap_minutes} min apart form one session`,
    `work outside work: ${WOW_TEXT[o.wow]}`,
    o.exclude_channels.length
      ? `excluding ${o.exclude_channels.join(', ')} use`
      : 'all channels included',
  ].join('; ');
}

/** A report's period in words, the last day included: "2 Mar – 29 Mar 2026". */
export function periodText(m: Pick<ReportMeta, 'from' | 'to'>): string {
  return rangeWords(m.from, m.to);
}

/**
 * A change within this share of the value compared with is "about the same": the server's band
 * for the departments' changes (aggregates.ts `UNCHANGED_WITHIN`), used for every colour too.
 */
export const UNCHANGED_WITHIN = 0.05;

/**
 * How `value` compares with `base` for a metric: 'same' within ±5% of `base`, else 'better' or
 * 'worse' by the metric's direction; null when either is missing.
 */
export function compare(
  key: string,
  value: number | null,
  base: number | null,
): 'same' | 'better' | 'worse' | null {
  if (value === null || base === null) return null;
  const d = value - base;
  if (Math.abs(d) <= UNCHANGED_WITHIN * Math.abs(base)) return 'same';
  return (info(key).lowerIsBetter ? d < 0 : d > 0) ? 'better' : 'worse';
}

export function suppressedText(threshold: number | undefined): string {
  return `suppressed (fewer than ${threshold ?? 5} clinicians, or would reveal such a group)`;
}

export const GROUP_BY_LABEL: Record<GroupKind | 'org', string> = {
  department: 'Department',
  specialty: 'Specialty',
  role: 'Role',
  org: 'Organisation',
};
