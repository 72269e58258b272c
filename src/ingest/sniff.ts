/**
 * Guesses what a file is from its first bytes, so that a file given with the wrong --format is
 * refused before anything is stored, with a message that says what it looks like.
 */
import { open } from 'node:fs/promises';
import { CSV_COLUMNS } from '../model/canonical.ts';
import { splitCsvLine } from './csvHeader.ts';

export type SniffedFormat =
  | 'canonical-csv'
  | 'epic-access-log'
  | 'fhir-ndjson'
  | 'fhir-json'
  | 'parquet'
  | 'json'
  | 'csv'
  | 'empty'
  | 'unknown';

const EPIC_COLUMNS = ['access_time', 'user_id', 'metric_id'];

/** What the file looks like, from its first 64 KiB. */
export async function sniffFormat(file: string): Promise<SniffedFormat> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead >= 4 && buf.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const trimmed = text.trimStart();
    if (!trimmed) return 'empty';
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      const firstLine = trimmed.split('\n', 1)[0] ?? '';
      const isFhir = /"resourceType"\s*:/.test(trimmed.slice(0, 4096));
      try {
        JSON.parse(firstLine);
        return isFhir ? 'fhir-ndjson' : 'json';
      } catch {
        return isFhir ? 'fhir-json' : 'json';
      }
    }
    const header = splitCsvLine(text.split(/\r\n|\n|\r/, 1)[0] ?? '').map((c) =>
      c.trim().toLowerCase(),
    );
    if (header.length > 1) {
      if (EPIC_COLUMNS.every((c) => header.includes(c))) return 'epic-access-log';
      // A clinician's table names user_id; the patient side's have no user_id, but all their
      // required columns.
      if (
        header.includes('user_id') ||
        Object.values(CSV_COLUMNS).some((t) => t.required.every((c) => header.includes(c)))
      )
        return 'canonical-csv';
      return 'csv';
    }
    return 'unknown';
  } finally {
    await fh.close();
  }
}

/** A phrase for messages: "looks like an Epic access-log export (use --format epic-access-log …)". */
export function describeSniffed(f: SniffedFormat): string {
  switch (f) {
    case 'epic-access-log':
      return 'it looks like an Epic access-log export: use --format epic-access-log --source-tz <zone>';
    case 'fhir-ndjson':
      return 'it looks like FHIR NDJSON: use --format fhir';
    case 'fhir-json':
      return 'it looks like a FHIR JSON resource or Bundle: use --format fhir';
    case 'parquet':
      return 'it looks like a Parquet file: use --format parquet';
    case 'json':
      return 'it looks like JSON, but not FHIR';
    case 'canonical-csv':
      return 'it looks like a canonical CSV file: use --format csv';
    case 'csv':
      return 'it looks like a CSV file with other columns';
    case 'empty':
      return 'it is empty';
    default:
      return 'its format is not recognised';
  }
}
