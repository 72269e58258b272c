/**
 * One entry for every import format, shared by `uptake import` and the upload of the web app, so
 * both refuse and accept the same files with the same messages.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../errors/UptakeError.ts';
import { fileFault, StoreFault } from '../store/faults.ts';
import type { ImportTable } from '../model/canonical.ts';
import type { FhirOptions } from './fhir/importFhir.ts';
import { importEpicAccessLog } from './epicAccessLog.ts';
import { importCsv } from './importCsv.ts';
import { importParquet } from './importParquet.ts';
import type { ImportOptions, ImportReport } from './loadStaged.ts';
import { describeSniffed, sniffFormat } from './sniff.ts';
import type { Store } from '../store/Store.ts';
import { IMPORT_FORMATS } from '../model/constants.ts';

/** The forms accepted, from the model (`src/model/constants.ts`). */
export { IMPORT_FORMATS };
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportFilesOptions
  extends Omit<ImportOptions, 'file' | 'onProgress'>, FhirOptions {
  /** A format, or `auto` to take it from the first file's contents. */
  format: ImportFormat | 'auto';
  files: string[];
  /** Progress of file `file` (0 … 1); FHIR files of one call are one import and report none. */
  onProgress?: ((file: string, fraction: number) => void) | undefined;
  /** Called with each report as soon as its import has finished. */
  onReport?: ((r: ImportReport) => void) | undefined;
}

/**
 * Refuse, before anything is read, an input that is not a readable file: a missing path, a folder
 * (Node would fail on it only at the first read, as an internal error), a path that may not be read.
 */
export async function checkInputFile(file: string): Promise<void> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw invalid(`${file}: no such file; check the path`);
    throw fileFault(e) ?? e;
  }
  if (st.isDirectory())
    throw invalid(
      `${file}: is a folder, not a file; name the files in it (e.g. ${join(file, '*.csv')})`,
    );
}

/**
 * An error of the machine during the import of `file` (a full disk, a lost connection to
 * PostgreSQL, a folder that may not be written) as one line that says the import stored nothing
 * and can simply be run again (a re-import stores nothing twice); other errors as they are.
 */
export function importFault(e: unknown, file: string): unknown {
  const fault = e instanceof StoreFault ? e : fileFault(e);
  if (!(fault instanceof StoreFault)) return fault ?? e;
  if (fault.whileCommitting)
    return new StoreFault(
      fault.kind,
      `${file}: ${fault.what}`,
      'so it is unknown whether the import was stored: see uptake imports list, or import the file again (a re-import stores nothing twice)',
      { cause: e, whileCommitting: true },
    );
  const again =
    fault.kind === 'connection-lost'
      ? 'import it again once PostgreSQL is back'
      : fault.todo.replace('run the command again', 'import it again');
  return new StoreFault(
    fault.kind,
    `${file}: not imported, nothing of it was stored: ${fault.what}`,
    again,
    { cause: e },
  );
}

/** The format a file's contents show, or a user error saying what it looks like instead. */
export async function detectFormat(file: string, table: ImportTable): Promise<ImportFormat> {
  const looks = await sniffFormat(file);
  if (looks === 'canonical-csv') return 'csv';
  if (looks === 'epic-access-log') return 'epic-access-log';
  if (looks === 'fhir-ndjson' || looks === 'fhir-json') return 'fhir';
  if (looks === 'parquet') return 'parquet';
  throw invalid(
    `${file}: not a file Uptake can import into ${table} (${describeSniffed(looks)}); ` +
      'expected canonical CSV or Parquet, an Epic access-log export or FHIR R4',
  );
}

/**
 * Import `files` into `table`. Canonical CSV and Epic access logs are one import per file; the FHIR
 * files of one call are one import (a roster's Practitioner and PractitionerRole resources may
 * come in separate files). Each import is recorded, with its rejects, as it finishes; when every
 * row of an import was rejected, the call then fails with a user error (exit 1) naming the file,
 * the first reject and where the rest are.
 */
export async function importFiles(store: Store, o: ImportFilesOptions): Promise<ImportReport[]> {
  const first = o.files[0];
  if (first === undefined) throw invalid('no file to import');
  for (const f of o.files) await checkInputFile(f);
  const format = o.format === 'auto' ? await detectFormat(first, o.table) : o.format;
  if (format === 'epic-access-log') {
    if (o.table !== 'events')
      throw invalid(`an Epic access log holds events only; import ${o.table} as csv or fhir`);
    if (!o.sourceTz)
      throw invalid(
        'the source time zone is required for Epic access logs: ACCESS_TIME has no offset; e.g. --source-tz America/Chicago',
      );
  }
  if (format !== 'fhir' && (o.identifierSystem !== undefined || o.defaultRole !== undefined))
    throw invalid(
      `--identifier-system and --default-role apply to FHIR files, not to ${format} (there the file names the user and the role)`,
    );
  const { files, onProgress, onReport } = o;
  const common = {
    table: o.table,
    sourceTz: o.sourceTz,
    actionMap: o.actionMap,
    pseudonymizer: o.pseudonymizer,
    rejectsDir: o.rejectsDir,
    label: o.label,
  };
  const reports: ImportReport[] = [];
  const done = (r: ImportReport) => {
    reports.push(r);
    onReport?.(r);
  };
  if (format === 'fhir') {
    // Loaded on demand: the FHIR reader is only needed for FHIR files.
    const { importFhir } = await import('./fhir/importFhir.ts');
    try {
      done(
        await importFhir(store, {
          ...common,
          files,
          identifierSystem: o.identifierSystem,
          defaultRole: o.defaultRole,
        }),
      );
    } catch (e) {
      throw importFault(e, o.label ?? files.join(', '));
    }
    return refuseAllRejected(store, reports);
  }
  for (const file of files) {
    const progress = onProgress ? (f: number) => onProgress(file, f) : undefined;
    try {
      done(
        format === 'epic-access-log'
          ? await importEpicAccessLog(store, {
              ...common,
              file,
              sourceTz: o.sourceTz!,
              onProgress: progress,
            })
          : format === 'parquet'
            ? await importParquet(store, { ...common, file, onProgress: progress })
            : await importCsv(store, { ...common, file, onProgress: progress }),
      );
    } catch (e) {
      throw importFault(e, o.label ?? file);
    }
  }
  return refuseAllRejected(store, reports);
}

/**
 * `reports`, unless an import rejected every row it read: then a user error naming each such
 * file, its first reject (line and reason, which never quotes a value) and where the rest are.
 */
async function refuseAllRejected(store: Store, reports: ImportReport[]): Promise<ImportReport[]> {
  const failed = reports.filter((r) => r.rows_read > 0 && r.rows_rejected === r.rows_read);
  if (!failed.length) return reports;
  const lines: string[] = [];
  for (const r of failed) {
    const [first] = await store.all<{ line: number; reason: string }>(
      `SELECT line, reason FROM import_rejects WHERE import_id = $1 ORDER BY line LIMIT 1`,
      [r.import_id],
    );
    lines.push(
      `${r.file}: every row (${r.rows_read}) was rejected, nothing was stored` +
        (first ? `; line ${first.line}: ${first.reason}` : '') +
        `; the rows and their reasons are in ${r.rejects_file ?? 'the rejects file'} (uptake imports show ${r.import_id}); fix the file and import it again`,
    );
  }
  throw invalid(lines.join('\n'));
}
