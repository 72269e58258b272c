import { Command, Option } from 'commander';
import { IMPORT_TABLES, type ImportTable } from '../model/canonical.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { EXPORT_FORMATS, exportTable, formatOfFile } from '../export/exportTable.ts';
import type { ExportFormat } from '../store/Store.ts';
import { storeOptions } from './main.ts';
import { withStore, type StoreFlags } from './withStore.ts';

interface ExportFlags extends StoreFlags {
  out: string;
  format?: ExportFormat;
}

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
    const format = flags.format ?? formatOfFile(flags.out);
    if (!format)
      throw new UptakeError(
        'BAD_INVOCATION',
        `--out ${flags.out}: say the format with --format parquet|csv|json or end the name with .parquet, .csv or .json`,
      );
    await withStore(flags, async (store) => {
      const n = await exportTable(store, table, flags.out, format);
      process.stdout.write(`${n} ${table} rows → ${flags.out} (${format})\n`);
    });
  });
}
