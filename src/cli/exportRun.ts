/** `uptake export`'s work (its definition is `exportCommand.ts`). */
import type { ImportTable } from '../model/canonical.ts';
import { UptakeError } from '../errors/UptakeError.ts';
import { exportTable, formatOfFile } from '../export/exportTable.ts';
import type { ExportFormat } from '../store/Store.ts';
import type { StoreFlags } from './options.ts';
import { withStore } from './withStore.ts';

export interface ExportFlags extends StoreFlags {
  out: string;
  format?: ExportFormat;
}

/** Write `table` of the chosen store to `flags.out`. */
export async function runExport(table: ImportTable, flags: ExportFlags): Promise<void> {
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
}
