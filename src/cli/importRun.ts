/** `uptake import`'s work (its definition is `importCommand.ts`), and the report a person reads. */
import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import type { FileImportTable } from '../model/canonical.ts';
import { isTimeZone } from '../model/options.ts';
import { invalid, UptakeError } from '../errors/UptakeError.ts';
import type { ImportReport } from '../ingest/importCsv.ts';
import { importFiles, type ImportFormat } from '../ingest/importFiles.ts';
import { SKIPPED_TYPE_NOTE } from '../ingest/fhir/importFhir.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { keyFile, rejectsDir } from '../admin/paths.ts';
import type { StoreFlags } from './options.ts';
import { withNewOrExistingStore } from './withStore.ts';

export interface ImportFlags extends StoreFlags {
  format: string;
  sourceTz?: string;
  actionMap?: string;
  identifierSystem?: string;
  defaultRole?: string;
  json?: boolean;
}

/** One paragraph a person reads after an import. */
export function describeImport(r: ImportReport): string {
  const lines = [
    `${r.file} → ${r.table} (import ${r.import_id}, ${r.seconds.toFixed(1)} s)`,
    `  read ${r.rows_read}, stored ${r.rows_stored}${r.rows_updated ? `, updated ${r.rows_updated}` : ''}, already present ${r.rows_duplicate}, rejected ${r.rows_rejected}`,
  ];
  if (r.lines && (r.lines.blank || r.lines.continued))
    lines.push(
      `  lines ${r.lines.total}: header ${r.lines.header}, blank ${r.lines.blank}, continuing a quoted value ${r.lines.continued}, rows ${r.rows_read}`,
    );
  if (r.time_range) lines.push(`  time range ${r.time_range.from} … ${r.time_range.to}`);
  if (r.unmapped_events) {
    lines.push(
      `  ${r.unmapped_events} events had no category and an action the map does not know (counted as other); most frequent: ` +
        r.top_unmapped_actions.map((a) => `${a.action} (${a.events})`).join(', '),
      `  map them with --action-map FILE (CSV action,category[,name])`,
    );
  }
  if (r.unknown_columns.length)
    lines.push(`  ignored unknown columns: ${r.unknown_columns.join(', ')}`);
  const skipped = Object.entries(r.notes ?? {}).filter(([k]) => k.startsWith(SKIPPED_TYPE_NOTE));
  if (skipped.length)
    lines.push(
      `  resources of other types (read only to resolve references, or skipped; never copied): ` +
        skipped.map(([k, n]) => `${k.slice(SKIPPED_TYPE_NOTE.length)} ${n}`).join(', '),
    );
  if (r.rejects_file)
    lines.push(
      `  rejected rows, with line and reason: ${(r.rejects_files ?? [r.rejects_file]).join(', ')} (or: uptake imports show ${r.import_id})`,
    );
  return lines.join('\n');
}

/** Import `files` into `table` of the chosen store, printing a report per file. */
export async function runImport(
  table: FileImportTable,
  files: string[],
  flags: ImportFlags,
): Promise<void> {
  if (flags.sourceTz && !isTimeZone(flags.sourceTz))
    throw invalid(`--source-tz ${flags.sourceTz} is not an IANA time zone such as America/Chicago`);
  if (flags.format === 'epic-access-log' && table !== 'events') {
    throw new UptakeError(
      'BAD_INVOCATION',
      `--format epic-access-log holds events only; import ${table} as csv or fhir`,
    );
  }
  await withNewOrExistingStore(flags, async (store) => {
    // One progress bar per file, on a terminal only.
    const shown: { bar: cliProgress.SingleBar | null; file: string } = { bar: null, file: '' };
    const stopBar = () => {
      shown.bar?.stop();
      shown.bar = null;
      shown.file = '';
    };
    const onProgress =
      process.stderr.isTTY && !flags.json
        ? (file: string, f: number) => {
            if (file !== shown.file) {
              stopBar();
              shown.file = file;
              shown.bar = new cliProgress.SingleBar(
                {
                  format: `${basename(file)} [{bar}] {percentage}% | {duration_formatted}`,
                  stream: process.stderr,
                  hideCursor: true,
                },
                cliProgress.Presets.shades_classic,
              );
              shown.bar.start(100, 0);
            }
            shown.bar?.update(Math.round(f * 100));
          }
        : undefined;
    let reports: ImportReport[];
    try {
      reports = await importFiles(store, {
        table,
        format: flags.format as ImportFormat,
        files,
        sourceTz: flags.sourceTz,
        actionMap: flags.actionMap,
        identifierSystem: flags.identifierSystem,
        defaultRole: flags.defaultRole,
        pseudonymizer: Pseudonymizer.load(keyFile(store)),
        rejectsDir: rejectsDir(store),
        onProgress,
        onReport: (r) => {
          stopBar();
          if (!flags.json) process.stdout.write(describeImport(r) + '\n');
        },
      });
    } finally {
      stopBar();
    }
    if (flags.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  });
}
