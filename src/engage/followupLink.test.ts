import { describe, expect, it } from 'vitest';
import { followupLinkToken, verifyFollowupLink } from './followupLink.ts';

const key = Buffer.alloc(32, 7);
const id = `fu-${'ab'.repeat(16)}`;
const expires = new Date('2026-03-15T12:00:00Z');

describe('follow-up links', () => {
  it('opens the follow-up it was made for until its expiry, exactly', () => {
    const t = followupLinkToken(key, id, expires);
    expect(verifyFollowupLink(key, t, new Date('2026-03-15T11:59:59.999Z'))).toEqual({ id });
    expect(() => verifyFollowupLink(key, t, expires)).toThrow(/expired on 2026-03-15/);
  });

  it('refuses a changed id, expiry or MAC, and another key’s token, saying nothing more', () => {
    const t = followupLinkToken(key, id, expires);
    const [, exp, mac] = t.split('.') as [string, string, string];
    const now = new Date('2026-03-01T00:00:00Z');
    const other = `fu-${'cd'.repeat(16)}`;
    for (const bad of [
      `${other}.${exp}.${mac}`,
      `${id}.${Number(exp) + 1}.${mac}`,
      `${id}.${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      followupLinkToken(Buffer.alloc(32, 8), id, expires),
      `${t}x`,
      '',
    ])
      expect(() => verifyFollowupLink(key, bad, now), bad).toThrow(/not valid/);
    expect(() => followupLinkToken(Buffer.alloc(16), id, expires)).toThrow(RangeError);
  });
});
