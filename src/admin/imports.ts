/**
 * The imports list as stored: every import (and every removal of one) with its report, and the
 * rejected lines of one import. `uptake imports` and the routes under `/api/imports` read these;
 * importing is `src/ingest`, removing an import `src/ingest/removeImport.ts`.
 */
import type { ImportReport } from '../ingest/loadStaged.ts';
import { readRejectsFile, type RejectedRow } from '../ingest/rejectsFile.ts';
import type { Sql, Store } from '../store/Store.ts';

/** One entry of the imports list. */
export interface ImportEntry {
  import_id: number;
  table_name: string;
  format: string;
  file: string;
  /** ISO 8601 instants (UTC). */
  started_at: string | null;
  finished_at: string | null;
  rows_read: number;
  rows_stored: number;
  rows_rejected: number;
  rows_duplicate: number;
  unmapped: number;
  /** The entry that removed this import's rows, else null. */
  removed_by: number | null;
  /** The import's report as stored (JSON), or null. */
  report: unknown;
}

/** Every import and removal, oldest first. */
export async function listImports(db: Pick<Store, 'all' | 'dialect'>): Promise<ImportEntry[]> {
  const d = db.dialect;
  const rows = await db.all<
    Omit<ImportEntry, 'started_at' | 'finished_at' | 'report'> & {
      report: string | null;
      su: number | null;
      fu: number | null;
    }
  >(
    `SELECT import_id, table_name, format, file, ${d.epochUs('started_at')} AS su, ${d.epochUs('finished_at')} AS fu,
       rows_read, rows_stored, rows_rejected, rows_duplicate, unmapped, removed_by, report
     FROM imports ORDER BY import_id`,
  );
  const iso = (us: number | null) =>
    us === null ? null : new Date(Number(us) / 1000).toISOString();
  return rows.map(({ su, fu, report, ...r }) => ({
    ...r,
    started_at: iso(su),
    finished_at: iso(fu),
    report: report ? (JSON.parse(report) as unknown) : null,
  }));
}

/** One import's report and the entry that removed its rows, or null when there is no such import. */
export async function getImport(
  db: Sql,
  id: number,
): Promise<{ report: ImportReport; removed_by: number | null } | null> {
  const [imp] = await db.all<{ report: string | null; removed_by: number | null }>(
    `SELECT report, removed_by FROM imports WHERE import_id = $1`,
    [id],
  );
  if (!imp?.report) return null;
  return { report: JSON.parse(imp.report) as ImportReport, removed_by: imp.removed_by };
}

/** A rejected line: its number in the input and why it was rejected. */
export interface RejectedLine {
  line: number;
  reason: string;
}

/** The first `limit` rejected lines of import `id`, in line order (never the row itself). */
export async function firstRejectedLines(
  db: Sql,
  id: number,
  limit: number,
): Promise<RejectedLine[]> {
  const rows = await db.all<RejectedLine>(
    `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line, reason LIMIT ${Math.trunc(limit)}`,
    [id],
  );
  return rows.map((r) => ({ line: Number(r.line), reason: r.reason }));
}

/** How many rejected lines import `id` has, its largest line number and longest reason. */
export async function rejectsExtent(
  db: Sql,
  id: number,
): Promise<{ n: number; line: number; reason: number }> {
  const [w] = await db.all<{ n: number; line: number | null; reason: number | null }>(
    `SELECT count(*) AS n, max(line) AS line, max(length(reason)) AS reason FROM import_rejects WHERE import_id = $1`,
    [id],
  );
  return { n: Number(w?.n ?? 0), line: Number(w?.line ?? 0), reason: Number(w?.reason ?? 0) };
}

/** Rejected lines read per query: a reader of `rejectedLines` never holds more of them. */
const PAGE = 10_000;

/**
 * Every rejected line of import `id` in line order, page by page (a page ends at a whole line
 * number: several input files of one import may share a line number), so that memory stays flat
 * for millions of them. With `report`, each comes with the verbatim row from the rejects file when
 * the import has one file of rejects (several: the rows are in those files; null then, and when
 * the file is gone). The row may hold a raw identifier: only the command line, run by whoever
 * holds the files, shows it.
 */
export async function* rejectedLines(
  db: Sql,
  id: number,
  report?: ImportReport,
): AsyncGenerator<RejectedLine & { row: string | null }> {
  const single = report?.rejects_file && (report.rejects_files?.length ?? 1) <= 1;
  const raw = single ? readRejectsFile(report.rejects_file!) : null;
  let next: RejectedRow | null | undefined;
  const rowOf = async (line: number): Promise<string | null> => {
    if (!raw) return null;
    if (next === undefined) next = (await raw.next()).value ?? null;
    while (next && next.line < line) next = (await raw.next()).value ?? null;
    return next && next.line === line ? next.row : null;
  };
  let after = -1;
  try {
    for (;;) {
      const page = await db.all<RejectedLine>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 AND line > $2 ORDER BY line, reason LIMIT ${PAGE}`,
        [id, after],
      );
      if (!page.length) break;
      const last = Number(page[page.length - 1]!.line);
      const rows =
        page.length < PAGE
          ? page
          : [
              ...page.filter((r) => Number(r.line) < last),
              ...(await db.all<RejectedLine>(
                `SELECT line, reason FROM import_rejects WHERE import_id = $1 AND line = $2 ORDER BY reason`,
                [id, last],
              )),
            ];
      for (const r of rows)
        yield { line: Number(r.line), reason: r.reason, row: await rowOf(Number(r.line)) };
      after = last;
    }
  } finally {
    await raw?.return(undefined);
  }
}
