/**
 * The field schemas every canonical table shares, defined once: an instant at the edges (ISO 8601
 * with its offset or `Z`, so no instant is ambiguous) and a non-empty identifier.
 */
import { z } from 'zod';
import { INSTANT_WITH_OFFSET } from './constants.ts';

/** An ISO 8601 instant with an offset or `Z`. */
export const instant = z
  .string()
  .regex(
    INSTANT_WITH_OFFSET,
    'an ISO 8601 instant with an offset or Z, e.g. 2026-03-02T08:15:00-05:00',
  );

/** A non-empty identifier as the source system writes it. */
export const id = z.string().min(1);
