/**
 * The patient's link to one follow-up (engagement.md §3): `<id>.<expiry>.<mac>`, where the MAC is
 * HMAC-SHA-256 under a secret kept outside the database (derived from Uptake's key file, like the
 * pseudonyms' key) over the follow-up's id and the expiry. Unguessable (the id is 128 random bits
 * and the MAC 256), it opens that one follow-up, and it stops working at its expiry: a changed
 * expiry breaks the MAC. The token travels in the URL's fragment (`/#/f/<token>`), which browsers
 * never send to a server, and reaches the API in a POST body, so no server or proxy log holds it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UptakeError } from '../errors/UptakeError.ts';

const FORM = /^(fu-[0-9a-f]{32})\.(\d{10})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Uint8Array, id: string, expiresS: number): string {
  return createHmac('sha256', key)
    .update(`uptake-followup-link\u0000${id}\u0000${expiresS}`)
    .digest('base64url');
}

/** The token of follow-up `id`'s link, valid until `expiresAt` (whole seconds). */
export function followupLinkToken(key: Uint8Array, id: string, expiresAt: Date): string {
  if (key.length < 32)
    throw new RangeError('followupLinkToken: the key must have 32 bytes or more');
  const s = Math.floor(expiresAt.getTime() / 1000);
  return `${id}.${s}.${mac(key, id, s)}`;
}

/** The path of the patient page that opens `token` (relative to Uptake's address). */
export function followupLinkPath(token: string): string {
  return `/#/f/${token}`;
}

/**
 * The follow-up a token opens. A token that is not one of Uptake's (wrong form or MAC) is
 * NOT_FOUND, saying nothing of what exists; an expired one is FORBIDDEN with its date, since only
 * someone who held the real link can see that.
 */
export function verifyFollowupLink(key: Uint8Array, token: string, now: Date): { id: string } {
  const m = FORM.exec(token);
  const bad = () =>
    new UptakeError('NOT_FOUND', 'this link is not valid; check that it was copied whole');
  if (!m) throw bad();
  const [, id, exp, got] = m as unknown as [string, string, string, string];
  const want = Buffer.from(mac(key, id, Number(exp)));
  const have = Buffer.from(got);
  if (want.length !== have.length || !timingSafeEqual(want, have)) throw bad();
  if (Number(exp) * 1000 <= now.getTime())
    throw new UptakeError(
      'FORBIDDEN',
      `this link expired on ${new Date(Number(exp) * 1000).toISOString().slice(0, 10)}; ask your clinic to send it again`,
    );
  return { id };
}
