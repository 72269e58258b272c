/** `uptake imports …`'s work (definitions in `importsCommand.ts`), on `src/admin/imports.ts`. */
import { once } from 'node:events';
import { getImport, listImports, rejectedLines, rejectsExtent } from '../admin/imports.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { describeRemoval, previewRemoval, removeImport } from '../ingest/removeImport.ts';
import { renderTable } from './format.ts';
import type { StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

/** Write to stdout, waiting while the reader is behind (memory stays flat for any output). */
async function out(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

function importId(id: string): number {
  if (!/^\d+$/.test(id) || Number(id) >= 2 ** 31)
    throw new UptakeError('BAD_INVOCATION', `import id must be a number, not ${id}`);
  return Number(id);
}

/** `uptake imports list`. */
export async function listImportsCommand(flags: StoreFlags & { json?: boolean }): Promise<void> {
  await withStore(flags, async (store) => {
    const rows = (await listImports(store)).map((r) => ({
      import_id: r.import_id,
      table_name: r.table_name,
      format: r.format,
      file: r.file,
      finished_at: r.finished_at,
      rows_read: r.rows_read,
      rows_stored: r.rows_stored,
      rows_duplicate: r.rows_duplicate,
      rows_rejected: r.rows_rejected,
      unmapped: r.unmapped,
      removed_by: r.removed_by,
    }));
    process.stdout.write(
      flags.json
        ? JSON.stringify(rows, null, 2) + '\n'
        : rows.length
          ? renderTable(rows, Object.keys(rows[0]!)) + '\n'
          : 'no imports yet\n',
    );
  });
}

/** `uptake imports show ID`: the report, then every rejected line with its row, streamed. */
export async function showImport(
  idText: string,
  flags: StoreFlags & { json?: boolean },
): Promise<void> {
  const id = importId(idText);
  await withStore(flags, async (store) => {
    const imp = await getImport(store, id);
    if (!imp) throw new UptakeError('NOT_FOUND', `no import ${id}; see uptake imports list`);
    const { report } = imp;
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
    const w = await rejectsExtent(store, id);
    if (!w.n) {
      await out('no rejected rows\n');
      return;
    }
    const lw = Math.max(4, String(w.line).length);
    const rw = Math.max(6, w.reason);
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
}

/** `uptake imports remove ID [--yes]`. */
export async function removeImportCommand(
  idText: string,
  flags: StoreFlags & { yes?: boolean; json?: boolean },
): Promise<void> {
  const id = importId(idText);
  await withStore(flags, async (store) => {
    const summary = flags.yes ? await removeImport(store, id) : await previewRemoval(store, id);
    process.stdout.write(
      flags.json
        ? JSON.stringify({ ...summary, removed: Boolean(flags.yes) }, null, 2) + '\n'
        : describeRemoval(summary, !flags.yes) + '\n',
    );
  });
}
