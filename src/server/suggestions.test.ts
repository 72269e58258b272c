import { describe, expect, it } from 'vitest';
import type { Quantiles, Row } from './aggregates.ts';
import { suggest } from './suggestions.ts';

const q = (p25: number, median: number, p75: number): Quantiles => ({
  p10: p25 - 1,
  p25,
  median,
  p75,
  p90: p75 + 1,
});
const me = (o: Partial<Row>): Row =>
  ({
    user_id: 'u',
    scheduled_hours: 100,
    ib_time8: 1,
    note_time8: 1,
    teamwork_orders: 0.5,
    undivided_attention: 0.5,
    pres_time8: 0.3,
    wow8: 1,
    after_hours8: 0.5,
    ehr_time8: 5,
    ...o,
  }) as Row;
const peers = {
  ib_time8: q(0.8, 1, 1.2),
  note_time8: q(0.8, 1, 1.2),
  teamwork_orders: q(0.4, 0.5, 0.6),
  undivided_attention: q(0.4, 0.5, 0.6),
  pres_time8: q(0.2, 0.3, 0.4),
  wow8: q(0.8, 1, 1.2),
  after_hours8: q(0.4, 0.5, 0.6),
};

describe('suggestions', () => {
  it('gives none to someone within their peers’ quartiles', () => {
    expect(suggest(me({}), peers)).toEqual([]);
    expect(suggest(null, peers)).toEqual([]);
    expect(suggest(me({ scheduled_hours: 0, note_time8: 9 }), peers)).toEqual([]);
  });

  it('picks inbox delegation only when after-hours time is high too', () => {
    expect(suggest(me({ ib_time8: 2 }), peers)).toEqual([]);
    const s = suggest(me({ ib_time8: 2, after_hours8: 0.9 }), peers);
    expect(s.map((x) => x.id)).toEqual(['inbox-delegation']);
    expect(s[0]).toMatchObject({ metric: 'ib_time8', value: 2, peer_median: 1 });
    expect(s[0]!.why).toContain('2.00 h');
  });

  it('ranks by distance beyond the quartile and keeps three', () => {
    const s = suggest(
      me({
        note_time8: 3,
        teamwork_orders: 0.1,
        undivided_attention: 0.35,
        pres_time8: 0.5,
        wow8: 1.3,
      }),
      peers,
    );
    expect(s.map((x) => x.id)).toEqual([
      'note-templates',
      'team-ordering',
      'prescription-renewals',
    ]);
    expect(s[1]!.why).toContain('10%');
  });

  it('does not add protected time when inbox delegation already answers after-hours work', () => {
    const s = suggest(me({ ib_time8: 2, after_hours8: 0.9, wow8: 3 }), peers);
    expect(s.map((x) => x.id)).toEqual(['inbox-delegation']);
  });
});
