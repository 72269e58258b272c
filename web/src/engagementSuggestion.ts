/**
 * The one suggestion of "My patients" on My report (docs/engagement.md, "My patients"): at most
 * one, chosen by two rules in order, and none when nothing stands out or a figure it would rest on
 * is suppressed (fewer than 11 patients) — a suggestion from a handful of patients would be noise.
 */
import {
  BUSINESS_DAY_HOURS,
  businessTime,
  pct,
  type EngagementBlock,
  type EngagementRow,
} from './engagement.ts';

/** Used the portal this many points (as a share) below the peers' before it stands out. */
export const ACTIVE_GAP = 0.05;

export interface EngagementSuggestion {
  id: 'reply_time' | 'encourage_portal';
  /** What to do, in one sentence. */
  action: string;
  /** Why this one: the evidence and the clinician's own figures beside their peers'. */
  why: string;
}

const shown = (r: EngagementRow, block: EngagementBlock): boolean => !r.suppressed.includes(block);

/**
 * The suggestion for `mine` (the clinician's figures) beside `peers` (their specialty's), or null:
 * 1. replies — both medians shown, mine above my peers' and above one business day (9 business
 *    hours): answer within a business day;
 * 2. else portal use — both shown, my patients' share who used the portal at least 5 points
 *    below my peers': encourage the portal at the visit.
 */
export function engagementSuggestion(
  mine: EngagementRow | undefined,
  peers: EngagementRow | undefined,
): EngagementSuggestion | null {
  if (!mine || !peers) return null;
  const my = mine.reply_business_hours;
  const their = peers.reply_business_hours;
  if (
    shown(mine, 'messages') &&
    shown(peers, 'messages') &&
    my !== null &&
    their !== null &&
    my > their &&
    my > BUSINESS_DAY_HOURS
  )
    return {
      id: 'reply_time',
      action: 'Answer your patients’ messages within a business day, or let your team do it.',
      why: `Patients of physicians who answer within a business day message more (Wolcott et al., 2017: +334%): your median reply is ${businessTime(my)}, your peers’ ${businessTime(their)}.`,
    };
  const a = mine.active_share;
  const b = peers.active_share;
  if (
    shown(mine, 'seen') &&
    shown(peers, 'seen') &&
    a !== null &&
    b !== null &&
    a <= b - ACTIVE_GAP
  )
    return {
      id: 'encourage_portal',
      action:
        'At the visit, tell your patients what you will put in the portal for them (results, the visit summary, a follow-up) and ask them to look.',
      why: `Patients whose physician encouraged the portal were 21 points more likely to use it (Richwine et al., 2022): ${pct(a)} of your patients seen used the portal, ${pct(b)} of your peers’.`,
    };
  return null;
}
