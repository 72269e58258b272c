/**
 * The few concrete suggestions of a clinician's own report. Each rule compares one of the
 * clinician's numbers with their peers' distribution and fires only when the clinician is beyond
 * the peers' quartile in the burdensome direction; the rules that fire are ranked by how far
 * beyond (in units of the peers' interquartile range) and at most three are kept. Every
 * suggestion says which number triggered it and why.
 */
import type { Quantiles, Row } from './aggregates.ts';
import type { DistributionMetric } from './schemas.ts';

export interface Suggestion {
  id: string;
  title: string;
  action: string;
  why: string;
  metric: string;
  value: number | null;
  peer_median: number | null;
}

interface Rule {
  id: string;
  metric: DistributionMetric;
  /** `high`: fires above the peers' 75th percentile; `low`: below their 25th. */
  when: 'high' | 'low';
  title: string;
  action: string;
  /** An extra condition on the clinician's row and peers (e.g. after-hours time also high). */
  also?: (me: Row, peers: Partial<Record<DistributionMetric, Quantiles>>) => boolean;
  why: (v: string, q: Quantiles, me: Row) => string;
}

const h = (x: number) => `${x.toFixed(2)} h`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Formats a metric value for a sentence. */
function fmt(metric: DistributionMetric, x: number): string {
  return metric === 'teamwork_orders' || metric === 'undivided_attention' ? pct(x) : h(x);
}

/** The reason of a per-8-hour rule that fires above the peers' 75th percentile. */
const abovePeers =
  (what: string) =>
  (v: string, q: Quantiles): string =>
    `${what} is ${v} per 8 scheduled hours, more than three quarters of your peers ` +
    `(their median ${h(q.median ?? 0)}).`;

export const RULES: readonly Rule[] = [
  {
    id: 'inbox-delegation',
    metric: 'ib_time8',
    when: 'high',
    title: 'Share the inbox: delegation and pooling',
    action:
      'Agree with your team which inbox messages they handle first (refill requests, normal results, ' +
      'scheduling), use a shared pool for them, and keep a protected inbox slot in clinic hours.',
    also: (me, peers) =>
      me.after_hours8 !== null &&
      peers.after_hours8?.median !== null &&
      peers.after_hours8?.median !== undefined &&
      me.after_hours8 > peers.after_hours8.median,
    why: (v, q, me) =>
      `Your inbox time is ${v} per 8 scheduled hours, more than three quarters of your peers ` +
      `(their median ${h(q.median ?? 0)}), and your after-hours time (${h(me.after_hours8 ?? 0)} per 8 ` +
      `scheduled hours) is above your peers' median: inbox work is following you home.`,
  },
  {
    id: 'note-templates',
    metric: 'note_time8',
    when: 'high',
    title: 'Note templates and documentation training',
    action:
      'Build personal note templates and smart phrases for your most frequent visit types, and book a ' +
      'documentation efficiency session with an informatics nurse or a peer champion.',
    why: abovePeers('Your note time'),
  },
  {
    id: 'team-ordering',
    metric: 'teamwork_orders',
    when: 'low',
    title: 'Team ordering',
    action:
      'Let nurses and medical assistants pend or enter routine orders (standing orders, protocols for ' +
      'screening and refills) for you to sign.',
    why: (v, q) =>
      `Your team entered ${v} of your orders; for three quarters of your peers it is more ` +
      `(their median ${pct(q.median ?? 0)}).`,
  },
  {
    id: 'visit-attention',
    metric: 'undivided_attention',
    when: 'low',
    title: 'More of the visit for the patient',
    action:
      'Pre-chart before the session, leave documentation that can wait until after the visit, and ' +
      'ask about ambient or team documentation support.',
    why: (v, q) =>
      `The EHR is idle during ${v} of your visit time (undivided attention); three quarters of your ` +
      `peers have more (their median ${pct(q.median ?? 0)}).`,
  },
  {
    id: 'prescription-renewals',
    metric: 'pres_time8',
    when: 'high',
    title: 'Longer prescriptions and delegated renewals',
    action:
      'Use 90-day supplies and refill protocols for stable chronic medications so that the team can ' +
      'renew them, and synchronize refills to one date.',
    why: abovePeers('Your prescription time'),
  },
  {
    id: 'protected-time',
    metric: 'wow8',
    when: 'high',
    title: 'Protected desk time inside the schedule',
    action:
      'Ask for a scheduled administrative slot each clinic day so that the work now done outside ' +
      'scheduled hours fits inside them.',
    why: abovePeers('Your work outside scheduled hours'),
  },
];

/** At most `max` suggestions for `me` given their peers' quantiles of each metric. */
export function suggest(
  me: Row | null,
  peers: Partial<Record<DistributionMetric, Quantiles>>,
  max = 3,
): Suggestion[] {
  if (!me || !(me.scheduled_hours > 0)) return [];
  const fired: { s: Suggestion; score: number }[] = [];
  for (const rule of RULES) {
    const q = peers[rule.metric];
    const v = me[rule.metric];
    if (!q || v === null || v === undefined || q.p25 === null || q.p75 === null) continue;
    const iqr = Math.max(q.p75 - q.p25, 1e-9);
    const beyond = rule.when === 'high' ? v - q.p75 : q.p25 - v;
    if (!(beyond > 0)) continue;
    if (rule.also && !rule.also(me, peers)) continue;
    fired.push({
      score: beyond / iqr,
      s: {
        id: rule.id,
        title: rule.title,
        action: rule.action,
        why: rule.why(fmt(rule.metric, v), q, me),
        metric: rule.metric,
        value: v,
        peer_median: q.median,
      },
    });
  }
  // Inbox delegation also answers high work outside work: do not give both for one cause.
  const ids = new Set(fired.map((f) => f.s.id));
  const kept = fired.filter((f) => !(f.s.id === 'protected-time' && ids.has('inbox-delegation')));
  return kept
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
    .map((f) => f.s);
}
