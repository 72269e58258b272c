/**
 * The one suggestion of "My patients" (docs/engagement.md): replies first, then portal use, none
 * when nothing stands out or a figure it needs is suppressed.
 */
import { describe, expect, test } from 'vitest';
import { ENGAGEMENT_FIELDS, type EngagementRow } from '../model/engagement.ts';
import { engagementSuggestion } from '../../web/src/engagementSuggestion.ts';

function row(over: Partial<EngagementRow>): EngagementRow {
  const r = Object.fromEntries(ENGAGEMENT_FIELDS.map((k) => [k, null])) as unknown as EngagementRow;
  return {
    ...r,
    group_by: 'clinician',
    group: 'u1',
    period_start: '2026-01-05',
    period_end: '2026-01-26',
    suppressed: [],
    active_share: 0.2,
    reply_business_hours: 4,
    ...over,
  };
}

describe('engagementSuggestion', () => {
  test('a slow reply above the peers and above one business day', () => {
    const s = engagementSuggestion(
      row({ reply_business_hours: 22.5 }),
      row({ reply_business_hours: 6 }),
    );
    expect(s?.id).toBe('reply_time');
    expect(s?.why).toContain(
      'your median reply is 2.5 business days, your peers’ 6 business hours',
    );
  });
  test('slower than the peers but within a business day: nothing about replies', () => {
    expect(
      engagementSuggestion(row({ reply_business_hours: 8 }), row({ reply_business_hours: 2 })),
    ).toBe(null);
  });
  test('portal use 5 points or more below the peers', () => {
    const s = engagementSuggestion(row({ active_share: 0.1 }), row({ active_share: 0.2 }));
    expect(s?.id).toBe('encourage_portal');
    expect(s?.why).toContain('10% of your patients seen used the portal, 20% of your peers’');
    expect(engagementSuggestion(row({ active_share: 0.17 }), row({ active_share: 0.2 }))).toBe(
      null,
    );
  });
  test('suppressed figures suggest nothing, even when an administrator sees them', () => {
    const slow = row({ reply_business_hours: 30, suppressed: ['messages'] });
    expect(engagementSuggestion(slow, row({ reply_business_hours: 3 }))).toBe(null);
    const low = row({ active_share: 0.01, suppressed: ['seen'] });
    expect(engagementSuggestion(low, row({ active_share: 0.3 }))).toBe(null);
    expect(engagementSuggestion(row({}), undefined)).toBe(null);
  });
});
