/**
 * In-app notices of the program (table `notices`): one account's unread marker for one change of
 * a feedback item or one settled goal. A notice holds no text; `noticeView` renders it for its
 * reader. The bell's count is `unreadNoticeCount`.
 */
import type { Sql, Store } from '../store/Store.ts';
import { noticeRowSchema, type NoticeKind, type NoticeRow } from '../model/feedback.ts';
import { fromDb, newId, placeholders, selectList } from './rows.ts';

const COLUMNS = Object.keys(noticeRowSchema.shape);
const TYPES = { instants: new Set(['created_at', 'read_at']) };

/** Store one notice per (username, kind) of `plans`, about `ref` (and its event `eventSeq`). */
export async function insertNotices(
  tx: Sql,
  plans: readonly { username: string; kind: NoticeKind }[],
  ref: string,
  eventSeq: number | null,
  now: Date,
): Promise<void> {
  for (const p of plans)
    await tx.run(
      `INSERT INTO notices (id, username, kind, ref, event_seq, created_at, read_at)
       VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMPTZ), NULL)`,
      [newId(now), p.username, p.kind, ref, eventSeq, now.toISOString()],
    );
}

/** `username`'s notices, newest first (only the unread ones with `unreadOnly`), at most `limit`. */
export async function listNotices(
  db: Store,
  username: string,
  o: { unreadOnly?: boolean; limit?: number } = {},
): Promise<NoticeRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM notices
     WHERE username = $1 ${o.unreadOnly ? 'AND read_at IS NULL' : ''}
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [username, Math.max(1, Math.min(o.limit ?? 50, 500))],
  );
  return rows.map((r) => noticeRowSchema.parse(fromDb(r, TYPES)));
}

/** How many notices `username` has not read (the bell's count). */
export async function unreadNoticeCount(db: Sql, username: string): Promise<number> {
  const [r] = await db.all<{ n: number }>(
    `SELECT count(*) AS n FROM notices WHERE username = $1 AND read_at IS NULL`,
    [username],
  );
  return Number(r?.n ?? 0);
}

/** Mark `username`'s notices `ids` (or all of them) read; returns how many changed. */
export async function markNoticesRead(
  db: Sql,
  username: string,
  ids: readonly string[] | 'all',
  now = new Date(),
): Promise<number> {
  if (ids !== 'all' && !ids.length) return 0;
  return db.exec(
    `UPDATE notices SET read_at = CAST($2 AS TIMESTAMPTZ)
     WHERE username = $1 AND read_at IS NULL
       ${ids === 'all' ? '' : `AND id IN (${placeholders(ids.length, 3)})`}`,
    [username, now.toISOString(), ...(ids === 'all' ? [] : ids)],
  );
}

/**
 * The notices one change stored: of feedback item `ref`, those about its events after `afterSeq`
 * (a change's events, so that they can also be sent by e-mail); with `afterSeq` null, the
 * notices of a settled goal (`goal_decided`, no event).
 */
export async function noticesAbout(
  db: Store,
  ref: string,
  afterSeq: number | null,
): Promise<NoticeRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    `SELECT ${selectList(db.dialect, COLUMNS, TYPES)} FROM notices
     WHERE ref = $1 AND ${afterSeq === null ? `event_seq IS NULL AND kind = 'goal_decided'` : 'event_seq > $2'}
     ORDER BY created_at, id`,
    afterSeq === null ? [ref] : [ref, afterSeq],
  );
  return rows.map((r) => noticeRowSchema.parse(fromDb(r, TYPES)));
}
