import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { UptakeError } from '../errors/UptakeError.ts';
import type { ImportReport } from '../ingest/importCsv.ts';
import { renderTable } from './format.ts';
import { storeOptions } from './main.ts';
import { withStore, type StoreFlags } from './withStore.ts';

export function registerImports(program: Command): void {
  const imports = program.command('imports').description('past imports and their reports');
  storeOptions(
    imports
      .command('list', { isDefault: true })
      .description('list past imports')
      .option('--json', 'as JSON'),
  ).action(async (flags: StoreFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const rows = await store.all<Record<string, unknown>>(
        `SELECT import_id, table_name, format, file, CAST(finished_at AS VARCHAR) AS finished_at, rows_read, rows_stored,
             rows_duplicate, rows_rejected, unmapped FROM imports ORDER BY import_id`,
      );
      process.stdout.write(
        flags.json
          ? JSON.stringify(rows, null, 2) + '\n'
          : renderTable(rows, Object.keys(rows[0] ?? { import_id: 0 })) + '\n',
      );
    });
  });
  storeOptions(
    imports
      .command('show')
      .description('one import: its report and its rejected rows with reasons')
      .argument('<id>', 'import id')
      .option('--json', 'as JSON'),
  ).action(async (id: string, flags: StoreFlags & { json?: boolean }) => {
    if (!/^\d+$/.test(id))
      throw new UptakeError('BAD_INVOCATION', `import id must be a number, not ${id}`);
    await withStore(flags, async (store) => {
      const [imp] = await store.all<{ report: string }>(
        `SELECT report FROM imports WHERE import_id = $1`,
        [Number(id)],
      );
      if (!imp) throw new UptakeError('NOT_FOUND', `no import ${id}; see uptake imports list`);
      const report = JSON.parse(imp.report) as ImportReport;
      const rejects = await store.all<{ line: number; reason: string }>(
        `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line`,
        [Number(id)],
      );
      // The verbatim rows live in the rejects file (they may hold raw identifiers, so not in the store).
      const raw = new Map<number, string>();
      if (report.rejects_file) {
        const text = await readFile(report.rejects_file, 'utf8').catch(() => '');
        for (const l of text.split('\n').slice(1)) {
          const m = /^(\d+),"((?:[^"]|"")*)","((?:[^"]|"")*)"$/.exec(l);
          if (m) raw.set(Number(m[1]), (m[3] ?? '').replaceAll('""', '"'));
        }
      }
      const rows = rejects.map((r) => ({ ...r, row: raw.get(r.line) ?? null }));
      if (flags.json) {
        process.stdout.write(JSON.stringify({ report, rejects: rows }, null, 2) + '\n');
        return;
      }
      process.stdout.write(JSON.stringify(report, null, 2) + '\n\n');
      process.stdout.write(
        (rows.length ? renderTable(rows, ['line', 'reason', 'row']) : 'no rejected rows') + '\n',
      );
    });
  });
}
