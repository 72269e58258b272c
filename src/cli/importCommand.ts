import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { basename } from 'node:path';
import { TABLES, type TableName } from '../model/canonical.ts';
import { isTimeZone } from '../model/options.ts';
import { invalid, UptakeError } from '../errors/UptakeError.ts';
import { importCsv, type ImportReport } from '../ingest/importCsv.ts';
import { importEpicAccessLog } from '../ingest/epicAccessLog.ts';
import { Pseudonymizer } from '../ingest/pseudonymize.ts';
import { storeOptions } from './main.ts';
import { keyFile, rejectsDir } from './paths.ts';
import { withStore, type StoreFlags } from './withStore.ts';

interface ImportFlags extends StoreFlags {
  format: string;
  sourceTz?: string;
  actionMap?: string;
  json?: boolean;
}

/** One paragraph a person reads after an import. */
export function describeImport(r: ImportReport): string {
  const lines = [
    `${r.file} → ${r.table} (import ${r.import_id}, ${r.seconds.toFixed(1)} s)`,
    `  read ${r.rows_read}, stored ${r.rows_stored}${r.rows_updated ? `, updated ${r.rows_updated}` : ''}, already present ${r.rows_duplicate}, rejected ${r.rows_rejected}`,
  ];
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
  if (r.rejects_file)
    lines.push(
      `  rejected rows, with line and reason: ${r.rejects_file} (or: uptake imports show ${r.import_id})`,
    );
  return lines.join('\n');
}

export function registerImport(program: Command): void {
  storeOptions(
    program
      .command('import')
      .description(
        'import canonical files into the store: events, clinicians (roster), schedule or orders',
      )
      .addArgument(
        new Command().createArgument('<table>', `one of ${TABLES.join(', ')}`).choices(TABLES),
      )
      .argument('<files...>', 'files to import')
      .addOption(
        new Option(
          '--format <format>',
          'file format: canonical CSV, Epic Clarity access-log CSV, or FHIR R4 (NDJSON, Bundle or resource)',
        )
          .choices(['csv', 'epic-access-log', 'fhir'])
          .default('csv'),
      )
      .option('--source-tz <tz>', 'IANA time zone of times written without an offset')
      .option(
        '--action-map <file>',
        'CSV action,category[,name] giving categories to events without one',
      )
      .option('--json', 'print the import reports as JSON'),
  ).action(async (table: TableName, files: string[], flags: ImportFlags) => {
    if (flags.sourceTz && !isTimeZone(flags.sourceTz))
      throw invalid(
        `--source-tz ${flags.sourceTz} is not an IANA time zone such as America/Chicago`,
      );
    if (flags.format === 'epic-access-log' && table !== 'events') {
      throw new UptakeError(
        'BAD_INVOCATION',
        `--format epic-access-log holds events only; import ${table} as csv or fhir`,
      );
    }
    await withStore(flags, async (store) => {
      const pseudonymizer = Pseudonymizer.load(keyFile(store));
      const reports: ImportReport[] = [];
      const common = {
        table,
        sourceTz: flags.sourceTz,
        actionMap: flags.actionMap,
        pseudonymizer,
        rejectsDir: rejectsDir(store),
      };
      const show = (r: ImportReport) => {
        reports.push(r);
        if (!flags.json) process.stdout.write(describeImport(r) + '\n');
      };
      if (flags.format === 'fhir') {
        // FHIR resources of one table may span files (Practitioner + PractitionerRole): one import.
        const { importFhir } = await import('../ingest/fhir/importFhir.ts');
        show(await importFhir(store, { ...common, files }));
      } else {
        for (const file of files) {
          const bar =
            process.stderr.isTTY && !flags.json
              ? new cliProgress.SingleBar(
                  {
                    format: `${basename(file)} [{bar}] {percentage}% | {duration_formatted}`,
                    stream: process.stderr,
                    hideCursor: true,
                  },
                  cliProgress.Presets.shades_classic,
                )
              : null;
          bar?.start(100, 0);
          const onProgress = bar ? (f: number) => bar.update(Math.round(f * 100)) : undefined;
          try {
            if (flags.format === 'epic-access-log') {
              if (!flags.sourceTz) {
                throw invalid(
                  '--source-tz is required for Epic access logs: ACCESS_TIME has no offset; e.g. --source-tz America/Chicago',
                );
              }
              show(
                await importEpicAccessLog(store, {
                  ...common,
                  file,
                  sourceTz: flags.sourceTz,
                  onProgress,
                }),
              );
            } else {
              show(await importCsv(store, { ...common, file, onProgress }));
            }
          } finally {
            bar?.stop();
          }
        }
      }
      if (flags.json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
    });
  });
}
