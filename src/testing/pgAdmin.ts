/**
 * Raw SQL on a PostgreSQL database behind a store's back: for the suites that administer the
 * throw-away server (a database per suite, a tablespace) or inject faults (a slow trigger, a
 * terminated backend). Through the store module's `openPostgresSession`, so that no test imports
 * the driver.
 */
import type { SqlValue } from '../store/Store.ts';
import { openPostgresSession, type PostgresSession } from '../store/postgresStore.ts';

export type { PostgresSession };

/** A session on the database at `url`, kept open across statements; close it. */
export function pgSession(url: string): Promise<PostgresSession> {
  return openPostgresSession(url);
}

/** Run one statement on the database at `url` in a session of its own; its rows. */
export async function pgQuery<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: readonly SqlValue[] = [],
): Promise<T[]> {
  const s = await openPostgresSession(url);
  try {
    return await s.all<T>(text, params);
  } finally {
    await s.close();
  }
}
