import { Command } from 'commander';
import { once } from 'node:events';
import { UptakeError } from '../errors/UptakeError.ts';
import type { ImportReport } from '../ingest/importCsv.ts';
import { readRejectsFile, type RejectedRow } from '../ingest/rejectsFile.ts';
import { describeRemoval, previewRemoval, removeImport } from '../ingest/removeImport.ts';
import type { Store } from '../store/Store.ts';
import { renderTable } from './format.ts';
import { storeOptions } from './main.ts';
import { withStore, type StoreFlags } from './withStore.ts';

/** Write to stdout, waiting while the reader is behind (memory stays flat for any output). */
async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

function importId(id: string): number {
  if (!/^\d+$/.test(id) || Number(id) >= 2 ** 31)
    throw new UptakeError('BAD_INVOCATION', `import id must be a number, not ${id}`);
  return Number(id);
}

/** Rejected lines read per query: `imports show` never holds more of them than this. */
const PAGE = 10_000;

/**
 * The rejected lines of import `id` in line order, page by page (a page ends at a whole line
 * number: several input files of one import may share a line number), with the verbatim row from
 * the rejects file when the import has one file of rejects (several: the rows are in those files).
 */
async function* rejectedLines(
  store: Store,
  id: number,
  report: ImportReport,
): AsyncGenerator<{ line: number; reason: string; row: string | null }> {
  const single = report.rejects_file && (report.rejects_files?.length ?? 1) <= 1;
  const raw = single ? readRejectsFile(report.rejects_file!) : null;
  let next: RejectedRow | null | undefined;
  const rowOf = async (line: number): Promise<string | null> => {
    if (!raw) return null;
    if (next === undefined) next = (await raw.next()).value ?? null;
    while (next && next.line < line) next = (await raw.next()).value ?? null;
    return next && next.line === line ? next.row : null;
  };
  let after = -1;
  for (;;) {
    const page = await store.all<{ line: number; reason: string }>(
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
            ...(await store.all<{ line: number; reason: string }>(
              `SELECT line, reason FROM import_rejects WHERE import_id = $1 AND line = $2 ORDER BY reason`,
              [id, last],
            )),
          ];
    for (const r of rows)
      yield { line: Number(r.line), reason: r.reason, row: await rowOf(Number(r.line)) };
    after = last;
  }
  await raw?.return(undefined);
}

export function registerImports(program: Command): void {
  const imports = program
    .command('imports')
    .description('past imports, their reports, and removing a wrong one');
  storeOptions(
    imports
      .command('list', { isDefault: true })
      .description('list past imports')
      .option('--json', 'as JSON'),
  ).action(async (flags: StoreFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const rows = await store.all<Record<string, unknown>>(
        `SELECT import_id, table_name, format, file, CAST(finished_at AS VARCHAR) AS finished_at, rows_read, rows_stored,
             rows_duplicate, rows_rejected, unmapped, removed_by FROM imports ORDER BY import_id`,
      );
      process.stdout.write(
        flags.json
          ? JSON.stringify(rows, null, 2) + '\n'
          : rows.length
            ? renderTable(rows, Object.keys(rows[0]!)) + '\n'
            : 'no imports yet\n',
      );
    });
  });
  storeOptions(
    imports
      .command('show')
      .description('one import: its report and its rejected rows with reasons')
      .argument('<id>', 'import id')
      .option('--json', 'as JSON'),
  ).action(async (idText: string, flags: StoreFlags & { json?: boolean }) => {
    const id = importId(idText);
    await withStore(flags, async (store) => {
      const [imp] = await store.all<{ report: string; removed_by: number | null }>(
        `SELECT report, removed_by FROM imports WHERE import_id = $1`,
        [id],
      );
      if (!imp) throw new UptakeError('NOT_FOUND', `no import ${id}; see uptake imports list`);
      const report = JSON.parse(imp.report) as ImportReport;
      // Streamed, page by page: an import may have millions of rejected lines.
      const lines = rejectedLines(store, id, report);
      if (flags.json) {
        const indent = (s: string, by: string) => s.replaceAll('\n', `\n${by}`);
        await out(
          `{\n  "report": ${indent(JSON.stringify(report, null, 2), '  ')},\n` +
            (imp.removed_by !== null ? `  "removed_by": ${imp.removed_by},\n` : '') +
            `  "rejects": [`,
        );
        let n = 0;
        let chunk = '';
        for await (const r of lines) {
          chunk += `${n++ ? ',' : ''}\n    ${indent(JSON.stringify(r, null, 2), '    ')}`;
          if (chunk.length > 1 << 16) {
            await out(chunk);
            chunk = '';
          }
        }
        await out(`${chunk}${n ? '\n  ' : ''}]\n}\n`);
        return;
      }
      await out(JSON.stringify(report, null, 2) + '\n\n');
      if (imp.removed_by !== null)
        await out(`removed by entry ${imp.removed_by}: its rows are no longer stored\n\n`);
      // The table's widths from the store (one pass in SQL), so that the rows can be streamed.
      const [w] = await store.all<{ n: number; line: number | null; reason: number | null }>(
        `SELECT count(*) AS n, max(line) AS line, max(length(reason)) AS reason FROM import_rejects WHERE import_id = $1`,
        [id],
      );
      if (!Number(w?.n)) {
        await out('no rejected rows\n');
        return;
      }
      const lw = Math.max(4, String(w!.line ?? 0).length);
      const rw = Math.max(6, Number(w!.reason ?? 0));
      await out(`${'line'.padStart(lw)}  ${'reason'.padEnd(rw)}  row\n`);
      await out(`${'-'.repeat(lw)}  ${'-'.repeat(rw)}  ---\n`);
      let chunk = '';
      for await (const r of lines) {
        chunk += `${String(r.line).padStart(lw)}  ${r.reason.padEnd(rw)}  ${r.row ?? '—'}\n`;
        if (chunk.length > 1 << 16) {
          await out(chunk);
          chunk = '';
        }
      }
      await out(chunk);
    });
  });
  storeOptions(
    imports
      .command('remove')
      .description(
        'remove a wrong import: every row it stored, its rejected lines and its rejects files (shows what would go unless --yes)',
      )
      .argument('<id>', 'import id')
      .option('--yes', 'remove it (without --yes, only say what would be removed)')
      .option('--json', 'as JSON'),
  ).action(async (idText: string, flags: StoreFlags & { yes?: boolean; json?: boolean }) => {
    const id = importId(idText);
    await withStore(flags, async (store) => {
      const summary = flags.yes ? await removeImport(store, id) : await previewRemoval(store, id);
      process.stdout.write(
        flags.json
          ? JSON.stringify({ ...summary, removed: Boolean(flags.yes) }, null, 2) + '\n'
          : describeRemoval(summary, !flags.yes) + '\n',
      );
    });
  });
}
