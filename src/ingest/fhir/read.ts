/**
 * Reading FHIR files into the staging area: each file is NDJSON (one resource per line, the Bulk
 * Data `$export` form), a JSON Bundle, or one JSON resource, decided per file from its first bytes.
 * Every resource becomes one row of `imp_fhir_rec` with its position (line number, or entry number
 * in a Bundle), its verbatim text, its resourceType and, when it is not a usable resource at all,
 * the reason. Parsing is DuckDB's, set-based: no JavaScript runs per resource.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { invalid } from '../../errors/UptakeError.ts';
import type { StagingArea } from '../../store/Store.ts';
import { withProgress } from '../importCsv.ts';
import { describeSniffed, sniffFormat } from '../sniff.ts';

/** Staging tables of a FHIR import. */
export const F = {
  files: 'imp_fhir_files',
  /**
   * View: one row per record — `rec_id`, `file_no`, `pos`, `form` (line, entry, resource), `rtype`,
   * `smode` (a searchset entry's search.mode), `base_reason` (why it is no resource at all), `raw`
   * (its verbatim text), `res` (the resource's JSON, NULL when `raw` is it) and `full_url` (a
   * Bundle entry's fullUrl, by which other entries may reference it) — over the line
   * tables of NDJSON files and the table of Bundle entries and single resources.
   */
  rec: 'imp_fhir_rec',
  docRec: 'imp_fhir_docrec',
  doc: 'imp_fhir_doc',
  map: 'imp_fhir_map',
  /** The rows handed to loadStaged (materialized once), before and after adding rejects' texts. */
  located: 'imp_fhir_located',
  src: 'imp_fhir_src',
  umap: 'imp_fhir_umap',
  smap: 'imp_fhir_smap',
  names: 'imp_fhir_names',
} as const;

export type FileForm = 'ndjson' | 'bundle' | 'resource';

/** What every refusal says the importer expects. */
export const EXPECTED =
  'expected FHIR R4 JSON: NDJSON (one resource per line, as written by Bulk Data $export), a Bundle, or a single resource';

/** How many bytes of a file are looked at to decide its form. */
const HEAD_BYTES = 4 << 20;

/** The longest NDJSON line read (DuckDB's reader needs a bound). */
const MAX_LINE_BYTES = 256 << 20;

/**
 * Decide how a file is to be read, from its first bytes, or refuse it (before anything is read
 * into the engine) saying what it looks like and what was expected.
 */
export async function detectForm(file: string): Promise<'ndjson' | 'document'> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw invalid(`${file}: no such file`);
  }
  const fh = await open(file, 'r');
  let head: string;
  let whole: boolean;
  try {
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
    whole = bytesRead >= size;
  } finally {
    await fh.close();
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  if (!head.trim()) throw invalid(`${file}: the file is empty; ${EXPECTED}`);
  const first = head.trimStart()[0];
  if (first !== '{') {
    const looks = describeSniffed(await sniffFormat(file));
    throw invalid(`${file}, line 1: not FHIR JSON (${looks}); ${EXPECTED}`);
  }
  if (!/"resourceType"\s*:/.test(head)) {
    throw invalid(
      `${file}: not FHIR (it looks like JSON, but no object in it has a resourceType); ${EXPECTED}`,
    );
  }
  // NDJSON: lines that start at the first column with `{` and are whole resources. A
  // pretty-printed document has only `{` and `}` there; a one-line Bundle is a document.
  const lines = head.split('\n');
  if (!whole) lines.pop(); // the last line may be cut by the buffer
  let resources = 0;
  let others = 0;
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(line);
      const rt = v && typeof v === 'object' ? (v as { resourceType?: unknown }).resourceType : null;
      if (typeof rt === 'string') {
        resources++;
        if (rt !== 'Bundle') others++;
      }
    } catch {
      // not a whole JSON value on one line
    }
    if (others || resources > 1) return 'ndjson';
  }
  return 'document';
}

/** The table of the lines of NDJSON file `fileNo` (kept until the import ends: it holds their text). */
export const linesTable = (fileNo: number) => `imp_fhir_lines_${fileNo}`;

/** Create the table of file names and the (empty) table of document records. */
export async function createRecordTables(st: StagingArea, files: readonly string[]): Promise<void> {
  await st.run(`CREATE TEMP TABLE ${F.files} (file_no INTEGER, fname VARCHAR)`);
  await st.run(
    `CREATE TEMP TABLE ${F.docRec} (rec_id BIGINT, file_no INTEGER, pos BIGINT, form VARCHAR,
       rtype VARCHAR, smode VARCHAR, base_reason VARCHAR, raw VARCHAR, res VARCHAR, full_url VARCHAR)`,
  );
  for (const [i, f] of files.entries()) {
    await st.run(`INSERT INTO ${F.files} VALUES ($1, $2)`, [i, basename(f)]);
  }
}

/** Create the view of all records, once every file is read (NDJSON text is never copied). */
export async function createRecordView(
  st: StagingArea,
  ndjsonFiles: readonly number[],
): Promise<void> {
  const parts = [
    `SELECT rec_id, file_no, pos, form, rtype, smode, base_reason, raw, res, full_url FROM ${F.docRec}`,
    ...ndjsonFiles.map(
      (
        k,
      ) => `SELECT ${recId(k, 'pos')}, ${k}, pos, 'line', rtype, CAST(NULL AS VARCHAR), base_reason, t,
          CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR)
        FROM ${linesTable(k)}`,
    ),
  ];
  await st.run(`CREATE TEMP VIEW ${F.rec} AS ${parts.join('\nUNION ALL ')}`);
}

/** Record ids: unique across the files of one import. */
const recId = (fileNo: number, pos: string) => `${fileNo}::BIGINT * 1000000000000 + ${pos}`;

/** SQL: the resourceType of JSON text `t` (NULL when it is not JSON, or has none). */
const resourceType = (t: string) =>
  `CASE WHEN json_valid(${t}) THEN nullif(json_extract_string(${t}, '$.resourceType'), '') END`;

/**
 * SQL: why JSON text `t`, whose resourceType is `rt`, is not a usable resource (else NULL).
 * `cutShort` adds the hint that the last line of a file without a final newline may be truncated.
 */
function baseReason(t: string, rt: string, what: string, cutShort: string): string {
  return `CASE WHEN NOT json_valid(${t}) THEN 'the ${what} is not valid JSON' || ${cutShort}
    WHEN ${rt} IS NULL AND json_type(${t}) <> 'OBJECT' THEN 'the ${what} is JSON but not a FHIR resource (a JSON ' || lower(json_type(${t})) || ', not an object)'
    WHEN ${rt} IS NULL THEN 'the ${what} is a JSON object without resourceType, so not a FHIR resource'
    END`;
}

/** Read one file into the staging area; returns its form. A document that is not JSON is refused. */
export async function readFile(
  st: StagingArea,
  file: string,
  fileNo: number,
  onProgress: ((f: number) => void) | undefined,
): Promise<FileForm> {
  const form = await detectForm(file);
  if (form === 'ndjson') {
    await readNdjson(st, file, fileNo, onProgress);
    return 'ndjson';
  }
  return readDocument(st, file, fileNo, onProgress);
}

/**
 * NDJSON: DuckDB's CSV reader with one VARCHAR column and a delimiter and quote that cannot occur
 * in JSON text, so that each line is read whole, verbatim and in order (its row number is its line
 * number; `\r\n` and `\n` both end a line). Blank lines are not records.
 */
async function readNdjson(
  st: StagingArea,
  file: string,
  fileNo: number,
  onProgress: ((f: number) => void) | undefined,
): Promise<void> {
  const lines = linesTable(fileNo);
  await st.run(`DROP TABLE IF EXISTS ${lines}`);
  await withProgress(st, onProgress, () =>
    st.run(
      `CREATE TEMP TABLE ${lines} AS SELECT t FROM read_csv($1, header = false, auto_detect = false,
         delim = '\u001e', quote = '', escape = '', new_line = '\\r\\n', columns = {'t': 'VARCHAR'},
         strict_mode = false, max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${2 * MAX_LINE_BYTES})`,
      [file],
    ),
  );
  const [last] = await st.all<{ m: number | null }>(`SELECT max(rowid) AS m FROM ${lines}`);
  const cutShort =
    (await lastByteIsNewline(file)) || last?.m == null
      ? `''`
      : `CASE WHEN rowid = ${Number(last.m)} THEN ' (it is the last line and the file does not end with a line break: the file may have been cut short)' ELSE '' END`;
  // The line table gets its record columns in place (its text is never copied); blank lines go.
  for (const col of ['pos BIGINT', 'rtype VARCHAR', 'base_reason VARCHAR'])
    await st.run(`ALTER TABLE ${lines} ADD COLUMN ${col}`);
  await st.run(`DELETE FROM ${lines} WHERE t IS NULL OR regexp_full_match(t, '\\s*')`);
  await st.run(
    `UPDATE ${lines} SET pos = rowid + 1, rtype = ${resourceType('t')},
       base_reason = ${baseReason('t', resourceType('t'), 'line', cutShort)}`,
  );
}

/**
 * A Bundle or a single resource: the whole document is read as text and parsed once; a Bundle's
 * entries become records numbered from 1 (their position in `entry`), each with the entry's JSON
 * as its text; a single resource is record 1 with the file's text.
 */
async function readDocument(
  st: StagingArea,
  file: string,
  fileNo: number,
  onProgress: ((f: number) => void) | undefined,
): Promise<FileForm> {
  await st.run(`DROP TABLE IF EXISTS ${F.doc}`);
  await withProgress(st, onProgress, () =>
    st.run(`CREATE TEMP TABLE ${F.doc} AS SELECT content FROM read_text($1)`, [file]),
  );
  const [valid] = await st.all<{ ok: boolean }>(`SELECT json_valid(content) AS ok FROM ${F.doc}`);
  if (!valid?.ok) throw await notJson(st, file);
  const [doc] = await st.all<{ obj: boolean; rt: string | null }>(
    `SELECT json_type(content) = 'OBJECT' AS obj,
       nullif(json_extract_string(content, '$.resourceType'), '') AS rt
     FROM ${F.doc}`,
  );
  if (!doc?.obj || !doc.rt) {
    throw invalid(
      `${file}: not FHIR (the JSON document is not a resource: it has no resourceType); ${EXPECTED}`,
    );
  }
  if (doc.rt === 'Bundle') {
    await st.run(
      `CREATE TEMP TABLE imp_fhir_entries AS
       SELECT ${recId(fileNo, 'i')} AS rec_id, i, e, json_extract(e, '$.resource') AS r
       FROM (SELECT unnest(l) AS e, generate_subscripts(l, 1) AS i
             FROM (SELECT json_extract(content, '$.entry[*]') AS l FROM ${F.doc}))`,
    );
    await st.run(`DROP TABLE ${F.doc}`);
    await st.run(
      `INSERT INTO ${F.docRec}
       SELECT rec_id, ${fileNo}, i, 'entry', rt, json_extract_string(e, '$.search.mode'),
         CASE WHEN r IS NULL THEN 'the Bundle entry has no resource' ELSE ${baseReason('r', 'rt', 'entry', `''`)} END,
         e, r, nullif(json_extract_string(e, '$.fullUrl'), '')
       FROM (SELECT *, ${resourceType('r')} AS rt FROM imp_fhir_entries)`,
    );
    await st.run(`DROP TABLE imp_fhir_entries`);
    return 'bundle';
  }
  await st.run(
    `INSERT INTO ${F.docRec} SELECT ${recId(fileNo, '1')}, ${fileNo}, 1, 'resource', $1, NULL, NULL, content, NULL, NULL FROM ${F.doc}`,
    [doc.rt],
  );
  await st.run(`DROP TABLE ${F.doc}`);
  return 'resource';
}

/** The refusal of a document that is not valid JSON, naming the line where parsing failed. */
async function notJson(st: StagingArea, file: string): Promise<Error> {
  let detail = '';
  try {
    await st.all(`SELECT json(content) FROM ${F.doc}`);
  } catch (e) {
    detail = ((e as Error).message.split('\n')[0] ?? '').replace(/\s*Input:.*$/, '');
  }
  const at = /at byte (\d+)/.exec(detail);
  await st.run(`DROP TABLE IF EXISTS ${F.doc}`);
  const size = (await stat(file)).size;
  if (at) {
    const byte = Number(at[1]);
    const line = await lineOfByte(file, byte);
    const cut =
      byte >= size - 1
        ? ' — it ends before the JSON is complete, so it may have been cut short'
        : '';
    return invalid(
      `${file}, line ${line}: not valid JSON (${detail.replace(/^.*?Error:\s*/, '')})${cut}; ${EXPECTED}; nothing was imported`,
    );
  }
  return invalid(`${file}: not valid JSON; ${EXPECTED}; nothing was imported`);
}

/** The 1-based line on which byte `offset` of a file lies. */
async function lineOfByte(file: string, offset: number): Promise<number> {
  let line = 1;
  let seen = 0;
  for await (const chunk of createReadStream(file, { end: Math.max(0, offset - 1) })) {
    const b = chunk as Buffer;
    for (let i = 0; i < b.length && seen < offset; i++, seen++) if (b[i] === 10) line++;
  }
  return line;
}

async function lastByteIsNewline(file: string): Promise<boolean> {
  const { size } = await stat(file);
  if (!size) return true;
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] === 10;
  } finally {
    await fh.close();
  }
}
