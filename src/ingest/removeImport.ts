/**
 * Undoing a wrong import (`uptake imports remove ID`, `DELETE /api/imports/:id`): every row the
 * import stored — rows carry the `import_id` that stored them — is deleted, with its rejected
 * lines and its rejects files, in one transaction on either engine.
 *
 * The removal is recorded as an `imports` entry of its own (format `removal`, with the next
 * import id), and the removed import's entry keeps its report with `removed_by` set to it. So
 * every change of the data takes a new, larger import id: the data version the report caches key
 * on (`max(import_id)`, the number of entries) changes, and an id is never used twice.
 */
import { rm, stat } from 'node:fs/promises';
import { UptakeError } from '../errors/UptakeError.ts';
import type { ImportTable } from '../model/canonical.ts';
import type { Sql, Store } from '../store/Store.ts';
import type { ImportReport } from './loadStaged.ts';
import { nextImportId } from './loadStaged.ts';
import { TABLE_SPECS } from './tableSpecs.ts';

/** What removing an import removes (or, in a preview, would remove). */
export interface RemovalSummary {
  /** The import removed. */
  import_id: number;
  table: string;
  file: string;
  /** Rows removed from each table: those the import stored that are still there. */
  rows: Record<string, number>;
  /** Rejected lines of the import removed from the store (their reasons). */
  rejects: number;
  /** The import's rejects files (removed after the rows, when present). */
  rejects_files: string[];
  /** Rejects files that were not found where the report says (e.g. another working folder). */
  rejects_files_missing: string[];
  /**
   * Roster rows the import changed (reported as updated): removing them does not bring back the
   * versions they replaced; importing the earlier roster again does.
   */
  replaced_rows: number;
  /** The entry that records the removal; null in a preview. */
  removal_id: number | null;
}

/** The tables whose rows an import into `table` stores (the roster also stores identities). */
function tablesOf(table: ImportTable): string[] {
  return [TABLE_SPECS[table].table, ...(table === 'clinicians' ? ['clinician_identifiers'] : [])];
}

interface Entry {
  table: ImportTable;
  file: string;
  report: ImportReport;
}

/** The import `id` as one that can be removed, or the user error saying why it cannot. */
async function removable(sql: Sql, id: number): Promise<Entry> {
  const [row] = await sql.all<{
    table_name: string;
    format: string;
    file: string;
    removed_by: number | null;
    report: string | null;
  }>(`SELECT table_name, format, file, removed_by, report FROM imports WHERE import_id = $1`, [id]);
  if (!row) throw new UptakeError('NOT_FOUND', `no import ${id}; see uptake imports list`);
  if (row.removed_by !== null)
    throw new UptakeError(
      'CONFLICT',
      `import ${id} was removed already (entry ${row.removed_by}); nothing is left to remove`,
    );
  if (row.format === 'removal')
    throw new UptakeError(
      'CONFLICT',
      `entry ${id} records the removal of an import and stored no rows; nothing to remove (to bring the rows back, import the file again)`,
    );
  if (!(row.table_name in TABLE_SPECS))
    throw new UptakeError(
      'CONFLICT',
      `import ${id} is into ${row.table_name}, which Uptake cannot remove from`,
    );
  return {
    table: row.table_name as ImportTable,
    file: row.file,
    report: JSON.parse(row.report ?? '{}') as ImportReport,
  };
}

function rejectsFiles(r: ImportReport): string[] {
  return r.rejects_files ?? (r.rejects_file ? [r.rejects_file] : []);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** What removing import `id` would remove, without changing anything. */
export async function previewRemoval(store: Store, id: number): Promise<RemovalSummary> {
  const e = await removable(store, id);
  const rows: Record<string, number> = {};
  for (const t of tablesOf(e.table)) {
    const [r] = await store.all<{ n: number }>(
      `SELECT count(*) AS n FROM ${t} WHERE import_id = $1`,
      [id],
    );
    rows[t] = Number(r?.n ?? 0);
  }
  const [rej] = await store.all<{ n: number }>(
    `SELECT count(*) AS n FROM import_rejects WHERE import_id = $1`,
    [id],
  );
  const files = rejectsFiles(e.report);
  const found = await Promise.all(files.map(exists));
  return {
    import_id: id,
    table: e.table,
    file: e.file,
    rows,
    rejects: Number(rej?.n ?? 0),
    rejects_files: files.filter((_, i) => found[i]),
    rejects_files_missing: files.filter((_, i) => !found[i]),
    replaced_rows: e.report.rows_updated ?? 0,
    removal_id: null,
  };
}

/**
 * Remove import `id`: delete the rows it stored (every table, by `import_id`) and its rejected
 * lines, mark it removed and record the removal as a new `imports` entry, in one transaction;
 * then delete its rejects files. A missing import, one removed already and a removal entry are
 * user errors (404, 409).
 */
export async function removeImport(store: Store, id: number): Promise<RemovalSummary> {
  const t0 = Date.now();
  const summary = await store.transaction(async (tx) => {
    // The id first: on PostgreSQL it takes the imports lock, so that two removals of one import
    // (or a removal and an import) never cross.
    const removalId = await nextImportId(store, tx);
    const e = await removable(tx, id);
    const rows: Record<string, number> = {};
    for (const t of tablesOf(e.table))
      rows[t] = await tx.exec(`DELETE FROM ${t} WHERE import_id = $1`, [id]);
    const rejects = await tx.exec(`DELETE FROM import_rejects WHERE import_id = $1`, [id]);
    await tx.run(`UPDATE imports SET removed_by = $1 WHERE import_id = $2`, [removalId, id]);
    const file = `removal of import ${id} (${e.file})`;
    const report: ImportReport = {
      import_id: removalId,
      table: e.table,
      format: 'removal',
      file,
      rows_read: 0,
      rows_stored: 0,
      rows_updated: 0,
      rows_rejected: 0,
      rows_duplicate: 0,
      unmapped_events: 0,
      top_unmapped_actions: [],
      unknown_columns: [],
      rejects_file: null,
      time_range: null,
      seconds: (Date.now() - t0) / 1000,
      notes: {
        removed_import: id,
        ...Object.fromEntries(Object.entries(rows).map(([t, n]) => [`${t}_removed`, n])),
        rejects_removed: rejects,
      },
    };
    const now = new Date().toISOString();
    await tx.run(
      `INSERT INTO imports (import_id, table_name, format, file, started_at, finished_at, report)
       VALUES ($1, $2, 'removal', $3, CAST($4 AS TIMESTAMPTZ), CAST($5 AS TIMESTAMPTZ), $6)`,
      [removalId, e.table, file, new Date(t0).toISOString(), now, JSON.stringify(report)],
    );
    return {
      import_id: id,
      table: e.table,
      file: e.file,
      rows,
      rejects,
      rejects_files: rejectsFiles(e.report),
      rejects_files_missing: [] as string[],
      replaced_rows: e.report.rows_updated ?? 0,
      removal_id: removalId,
    };
  });
  // The rows are gone (committed): now their rejects files, which may hold raw identifiers.
  const removed: string[] = [];
  for (const f of summary.rejects_files) {
    if (!(await exists(f))) summary.rejects_files_missing.push(f);
    else {
      await rm(f, { force: true });
      removed.push(f);
    }
  }
  summary.rejects_files = removed;
  return summary;
}

/** The summary as lines a person reads (`preview`: what would be removed). */
export function describeRemoval(s: RemovalSummary, preview: boolean): string {
  const rows = Object.entries(s.rows)
    .map(([t, n]) => `${n} ${t} row${n === 1 ? '' : 's'}`)
    .join(', ');
  const lines = [
    preview
      ? `import ${s.import_id} (${s.table}, ${s.file}) would be removed: ${rows}, ${s.rejects} rejected line${s.rejects === 1 ? '' : 's'}`
      : `removed import ${s.import_id} (${s.table}, ${s.file}): ${rows}, ${s.rejects} rejected line${s.rejects === 1 ? '' : 's'} (recorded as entry ${s.removal_id})`,
  ];
  for (const f of s.rejects_files)
    lines.push(`  rejects file ${f}${preview ? ' would be deleted' : ' deleted'}`);
  for (const f of s.rejects_files_missing)
    lines.push(`  rejects file ${f} not found here; delete it by hand if it is elsewhere`);
  if (s.replaced_rows)
    lines.push(
      `  ${s.replaced_rows} of its roster rows replaced earlier versions, which removing does not bring back; import the earlier roster again for them`,
    );
  if (preview) lines.push('nothing was removed; run again with --yes to remove it');
  return lines.join('\n');
}
