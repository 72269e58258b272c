/** `uptake import TABLE FILES…`: its definition; the work is `importRun.ts`, loaded when it runs. */
import { Command, Option } from 'commander';
import { FILE_IMPORT_TABLES, IMPORT_FORMATS } from '../model/constants.ts';
import type { FileImportTable } from '../model/canonical.ts';
import { storeOptions } from './options.ts';
import type { ImportFlags } from './importRun.ts';

export function registerImport(program: Command): void {
  storeOptions(
    program
      .command('import')
      .description(
        'import canonical files into the store: events, clinicians (roster), schedule or orders; the patient side: patient_events, patient_accounts, messages or releases (canonical CSV or Parquet)',
      )
      .addArgument(
        new Command()
          .createArgument('<table>', `one of ${FILE_IMPORT_TABLES.join(', ')}`)
          .choices(FILE_IMPORT_TABLES),
      )
      .argument('<files...>', 'files to import')
      .addOption(
        new Option(
          '--format <format>',
          'file format: canonical CSV, Epic Clarity access-log CSV, FHIR R4 (NDJSON, Bundle or resource), or Parquet (as uptake export writes it)',
        )
          .choices(IMPORT_FORMATS)
          .default('csv'),
      )
      .option('--source-tz <tz>', 'IANA time zone of times written without an offset')
      .option(
        '--action-map <file>',
        'CSV action,category[,name] giving categories to events without one',
      )
      .option(
        '--identifier-system <uri>',
        'FHIR: the identifier system that keys the roster (default: the NPI, http://hl7.org/fhir/sid/us-npi; without one, Practitioner/<id>)',
      )
      .option(
        '--default-role <role>',
        'FHIR clinicians: the role of practitioners that have no PractitionerRole (instead of rejecting them)',
      )
      .option('--json', 'print the import reports as JSON'),
  ).action(async (table: FileImportTable, files: string[], flags: ImportFlags) => {
    const { runImport } = await import('./importRun.ts');
    await runImport(table, files, flags);
  });
}
