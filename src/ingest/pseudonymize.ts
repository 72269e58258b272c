/**
 * Keyed pseudonyms for patient identifiers (HMAC-SHA-256). The raw identifier never reaches the
 * store; the key lives outside the database, in `$UPTAKE_PSEUDONYM_KEY` or in a key file created on
 * first use with owner-only permissions. Each identifier type gets its own key derived from the
 * master key, so a patient id and an encounter id with the same text get unrelated pseudonyms.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { invalid } from '../errors/UptakeError.ts';

/**
 * The kinds of identifier pseudonymized, each with its own key. Besides patients: the ids of
 * what was released to a patient (`resource`: a result, a note; joins `patient_events` with
 * `releases`) and of secure messages (`message`: `message_id` and `in_reply_to`), since in the
 * source system each names one patient's record (and some systems build them from the MRN).
 */
export type IdentifierType = 'patient' | 'resource' | 'message';

export class Pseudonymizer {
  private readonly keys = new Map<IdentifierType, Buffer>();
  constructor(private readonly master: Buffer) {}

  /** Load the master key from the environment, or from `keyFile` (created if absent). */
  static load(keyFile: string): Pseudonymizer {
    const env = process.env['UPTAKE_PSEUDONYM_KEY'];
    if (env) {
      if (env.length < 32)
        throw invalid(
          'UPTAKE_PSEUDONYM_KEY is shorter than 32 characters; use a long random secret',
        );
      return new Pseudonymizer(Buffer.from(env, 'utf8'));
    }
    if (!existsSync(keyFile)) {
      writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
      chmodSync(keyFile, 0o600);
    }
    const hex = readFileSync(keyFile, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex))
      throw invalid(
        `${keyFile}: not an Uptake pseudonym key (64 hex digits); restore it from your backup`,
      );
    return new Pseudonymizer(Buffer.from(hex, 'hex'));
  }

  private key(type: IdentifierType): Buffer {
    let k = this.keys.get(type);
    if (!k) {
      k = createHmac('sha256', this.master).update(`uptake-pseudonym:${type}`).digest();
      this.keys.set(type, k);
    }
    return k;
  }

  /**
   * A secret for another purpose (e.g. `goal-votes`, the key of `goalVoterToken`), derived from
   * the same master key: kept outside the database like the pseudonyms' key, and unrelated to
   * every identifier type's key.
   */
  derivedKey(purpose: string): Buffer {
    return createHmac('sha256', this.master).update(`uptake-secret:${purpose}`).digest();
  }

  /** The pseudonym of one identifier: a fixed prefix and 32 hex digits of its HMAC. */
  pseudonym(type: IdentifierType, raw: string): string {
    return 'P' + createHmac('sha256', this.key(type)).update(raw).digest('hex').slice(0, 32);
  }
}
