/** `uptake export TABLE --out FILE`: its definition; the work is `exportRun.ts`. */
import { Command, Option } from 'commander';
import type { ImportTable } from '../model/canonical.ts';
import { EXPORT_FORMATS, IMPORT_TABLES } from '../model/constants.ts';
import { storeOptions } from './options.ts';
import type { ExportFlags } from './exportRun.ts';

export function registerExport(program: Command): void {
  storeOptions(
    program
      .command('export')
      .description(
        'write a canonical table as Parquet, CSV or newline-delimited JSON, in the columns of its canonical CSV (importable again; patient ids are the stored pseudonyms)',
      )
      .addArgument(
        new Command()
          .createArgument('<table>', `one of ${IMPORT_TABLES.join(', ')}`)
          .choices(IMPORT_TABLES),
      )
      .requiredOption('--out <file>', 'the file to write (.parquet, .csv or .json)')
      .addOption(
        new Option('--format <format>', 'default: from the file name').choices(EXPORT_FORMATS),
      ),
  ).action(async (table: ImportTable, flags: ExportFlags) => {
    const { runExport } = await import('./exportRun.ts');
    await runExport(table, flags);
  });
}
