/**
 * A CSV file read as records that each know their physical lines, so that every line of the
 * file is accounted for: the header, a blank line, a line continuing a quoted value, or one
 * record (stored, already present or rejected with its own line).
 *
 * Why not DuckDB's CSV reader alone: its error `line` counts records, not lines (it is one early
 * after every quoted line break), good rows carry no line at all, and a stray quote makes it
 * swallow the lines after it — in its parallel scan, a whole buffer of them silently. So:
 *
 * 1. **Lines.** DuckDB's reader reads the file as lines: one text column, no quoting, in its
 *    strict mode (its lenient mode was seen to drop a line at a buffer boundary). Row order is the
 *    file's order; a line it cannot take (over `MAX_LINE_BYTES`, not UTF-8) goes to its rejects
 *    table with its exact line number, and the later lines' numbers are shifted back by those.
 *    The line end is the file's own: LF, CRLF, or CR in a file without LF. A file that mixes
 *    them, or holds a CR inside a line, is first copied with CRLF made LF and every other CR made
 *    U+0001, which rejects that line with a reason rather than letting the reader split it.
 * 2. **Records.** A line without a double quote is a record of its own, split on commas (almost
 *    every line of an extract: no parsing beyond `string_split`). A line with quotes is parsed by
 *    regular expressions that follow RFC 4180, as leniently as DuckDB's reader: a field that
 *    starts with `"` (spaces around it allowed) is quoted, with `""` for a quote inside it; a quote
 *    inside an unquoted field is just a character. A line that ends inside an open quoted field
 *    continues on the next lines, up to the first line that closes it, when all of them together
 *    form one record with the header's number of fields within `MAX_LINE_BYTES`; otherwise the
 *    line that opened the quote is rejected alone and the lines after it are read as records of
 *    their own. So one stray quote costs its own line, never the rest of the file.
 *
 * Everything is set-based SQL in the staging DuckDB; the only JavaScript pass over the file is
 * the copy made for mixed line ends (streamed, in chunks).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../errors/UptakeError.ts';
import { diskFull, fileFault } from '../store/faults.ts';
import { quoteLiteral } from '../store/quote.ts';
import type { StagingArea } from '../store/Store.ts';
import { makeTempDir, removeTempDir } from '../store/tempFiles.ts';

/** The longest line (or record spanning lines) read, in bytes: DuckDB's default `max_line_size`. */
export const MAX_LINE_BYTES = 2_000_000;
/** The most lines one record (a quoted value with line breaks) may span. */
export const MAX_RECORD_LINES = 10_000;

/** How a file's physical lines divide: `total = header + blank + continued + rows read`. */
export interface CsvLines {
  /** Physical lines of the file. */
  total: number;
  /** The header line (1). */
  header: number;
  /** Empty lines outside quoted values, skipped. */
  blank: number;
  /** Lines continuing a record begun on an earlier line (a quoted value holding a line break). */
  continued: number;
}

/** A CSV file staged as records. */
export interface StagedCsv {
  /**
   * SQL giving one row per record: `line` (the physical line it begins on), `pre_reason` (why the
   * record is not CSV of the header's shape, else NULL), `raw_text` (the record verbatim when it
   * spans lines, else NULL: the rejects file re-reads its line), `has_nul` (the record holds a
   * NUL byte somewhere) and the fields `c0`, `c1`, … as text, as written (an empty field is '').
   */
  select: string;
  lines: CsvLines;
  /** The file's lines end with a lone CR (a file without any LF). */
  crLines: boolean;
  /** Staging tables to drop at the end of the import. */
  tables: string[];
}

/** Staging tables of the CSV reader. */
const C = {
  lines: 'imp_csv_lines',
  rej: 'imp_csv_rej',
  scan: 'imp_csv_scan',
  lineRej: 'imp_csv_line_rej',
  shift: 'imp_csv_shift',
  quoted: 'imp_csv_quoted',
  multi: 'imp_csv_multi',
  qrec: 'imp_csv_qrec',
};

// A field: quoted (spaces around it allowed, "" inside) or unquoted (not starting with a quote
// after spaces; a quote further in is a character). RE2 character classes match line breaks.
const QF = ` *"(?:[^"]|"")*" *`;
const UF = ` *(?:[^ ,"][^,]*)?`;
const F = `(?:${QF}|${UF})`;
/** A whole record. */
const RECORD = `${F}(?:,${F})*`;
/** From outside a quoted field, a line that ends inside one it opened. */
const OPENS = `(?:${F},)* *"(?:[^"]|"")*`;
/** From inside a quoted field, a line that closes it and ends the record. */
const CLOSES = `(?:[^"]|"")*" *(?:,${F})*`;
/** From inside a quoted field, a line that ends inside one (the same, or another it opens). */
const STAYS = `(?:[^"]|"")*(?:" *(?:,${F})*, *"(?:[^"]|"")*)?`;
/**
 * Every field quoted, without quotes inside, the first value not starting with a comma or a
 * space: split on `","` without a regular expression. (Read from inside a quoted value, such a
 * line can neither close it nor stay in it, so it is always a record of its own; `","` can.)
 */
const ALL_QUOTED = `"(?:[^", ][^"]*)?"(?:,"[^"]*")*`;
/**
 * Quoted fields without commas or quotes inside, among unquoted fields without quotes, the first
 * quoted value not empty nor starting with a space (for the same reason): the fields are the line
 * without its quotes, split on commas.
 */
const PLAIN_QUOTED = `(?:[^",]*,)*"[^", ][^",]*"(?:,(?:"[^",]*"|[^",]*))*`;

const fmt = (n: number) => n.toLocaleString('en-US');

/** Why a line the reader could not take is rejected (never quoting the line). */
function lineErrorReason(errorType: string): string {
  switch (errorType) {
    case 'LINE SIZE OVER MAXIMUM':
      return `the line is over ${fmt(MAX_LINE_BYTES)} bytes long, more than a line may hold (the CSV reader's max_line_size); no row is that long: look for a missing line break or a value that does not belong in the file`;
    case 'INVALID ENCODING':
    case 'INVALID UNICODE':
      return 'the line is not UTF-8 text; save the file as UTF-8';
    case 'TOO MANY COLUMNS':
      return 'the line holds a carriage return (CR) that does not end it, or the control character U+0001; remove it';
    default:
      return `the line cannot be read as text (${errorType.toLowerCase()})`;
  }
}

/** The field-count reason for a record of `n` fields (SQL) under a header of `width`. */
const countReason = (n: string, width: number, where = `'the line'`) =>
  `${where} || ' has ' || ${n} || ' field' || CASE WHEN ${n} = 1 THEN '' ELSE 's' END || ' where the header has ${width}; a value that holds a comma must be in double quotes'`;

const UNCLOSED = `the line opens a quoted value (") that is not closed on it or on the lines after it (within ${fmt(MAX_LINE_BYTES)} bytes, as one row of the header's fields); close the quote, or double a quote that belongs to the value ("")`;
const MALFORMED = `the double quotes of the line do not make CSV fields: a quoted value must be followed by a comma or the end of the line, and a double quote inside it written twice ("")`;

/** The line end of a file, from its first one (`\n` when it has none). */
async function firstLineEnd(file: string): Promise<'\n' | '\r\n' | '\r'> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const s = buf.subarray(0, bytesRead).toString('latin1');
    const m = /\r\n|\r|\n/.exec(s);
    if (!m) return '\n';
    // a CR at the very end of the buffer may be the first half of a CRLF
    if (m[0] === '\r' && m.index === bytesRead - 1 && bytesRead === buf.length) return '\r\n';
    return m[0] as '\n' | '\r\n' | '\r';
  } finally {
    await fh.close();
  }
}

/**
 * Copy `src` to `dst` with CRLF made LF and any other CR made U+0001 (a CR at the very end of
 * the file ends its last line): the copy has the same lines as the original, by LF.
 */
async function normalizeLineEnds(src: string, dst: string): Promise<void> {
  const out = createWriteStream(dst, { mode: 0o600 });
  let carry = false;
  try {
    for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 })) {
      let s: string = (carry ? '\r' : '') + (chunk as Buffer).toString('latin1');
      carry = s.endsWith('\r');
      if (carry) s = s.slice(0, -1);
      s = s.replace(/\r\n/g, '\n').replace(/\r/g, '\x01');
      if (!out.write(Buffer.from(s, 'latin1'))) await once(out, 'drain');
    }
    if (carry) out.write('\n');
  } finally {
    out.end();
    await once(out, 'close');
  }
}

/**
 * The reader of `$1` as lines, with line end `nl`, in DuckDB's default strict mode, which throws
 * on a line end other than `nl` (rather than guessing). `strict_mode` is left to its default: set
 * explicitly to true together with `new_line = '\r\n'`, DuckDB 1.5 read a CRLF file as one empty
 * line.
 */
function readLines(nl: string): string {
  return `read_csv($1, header = false, auto_detect = false, columns = {'l': 'VARCHAR'},
    delim = E'\\x01', quote = '', escape = '', new_line = '${nl.replace('\r', '\\r').replace('\n', '\\n')}',
    max_line_size = ${MAX_LINE_BYTES}, store_rejects = true,
    rejects_table = '${C.rej}', rejects_scan = '${C.scan}')`;
}

/**
 * Read `file` (whose header `header` was read already) into the staging area as records of
 * `header.length` fields, every physical line accounted for.
 */
export async function stageCsv(
  st: StagingArea,
  file: string,
  header: readonly string[],
  progress: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<StagedCsv> {
  const width = header.length;
  for (const t of Object.values(C)) await st.run(`DROP TABLE IF EXISTS ${t}`);

  // 1. The lines, in the file's own line end; a file that mixes them is read from a copy.
  const nl = await firstLineEnd(file);
  const read = (path: string, end: string) =>
    progress(() =>
      st.run(
        // k: 0 without a quote (or blank), 1 `ALL_QUOTED`, 3 `PLAIN_QUOTED`, 2 other quotes
        `CREATE TEMP TABLE ${C.lines} AS
         SELECT l, contains(l, chr(0)) AS z, CAST(CASE WHEN l IS NULL OR NOT contains(l, '"') THEN 0
           WHEN regexp_full_match(l, ${quoteLiteral(ALL_QUOTED)}) THEN 1
           WHEN regexp_full_match(l, ${quoteLiteral(PLAIN_QUOTED)}) THEN 3 ELSE 2 END AS UTINYINT) AS k
         FROM ${readLines(end)}`,
        [path],
      ),
    );
  try {
    await read(file, nl);
  } catch {
    for (const t of [C.lines, C.rej, C.scan]) await st.run(`DROP TABLE IF EXISTS ${t}`);
    // A copy as large as the file, in a temporary folder removed on every path (`tempFiles.ts`).
    const tmp = await makeTempDir('lines');
    try {
      const copy = join(tmp, 'lines.csv');
      await normalizeLineEnds(file, copy);
      await read(copy, '\n');
    } catch (e) {
      // A full disk (or a temporary folder that may not be written) is no fault of the file.
      const fault = diskFull(e) ?? fileFault(e);
      if (fault) throw fault;
      throw invalid(
        `${file}: cannot be read as lines of text (${String((e as Error).message ?? e).split('\n')[0]})`,
      );
    } finally {
      await removeTempDir(tmp);
    }
  }

  // Lines the reader could not take, with their reason; `n` is a line's number: its position
  // among the lines read, shifted by the rejected lines before it.
  await st.run(
    `CREATE TEMP TABLE ${C.lineRej} AS
     SELECT line, error_type, line - row_number() OVER (ORDER BY line) AS thr
     FROM (SELECT line, min(CAST(error_type AS VARCHAR)) AS error_type FROM ${C.rej} GROUP BY line)`,
  );
  const types = await st.all<{ error_type: string; n: number }>(
    `SELECT error_type, count(*) AS n FROM ${C.lineRej} GROUP BY error_type ORDER BY error_type`,
  );
  const rejected = types.reduce((n, t) => n + Number(t.n), 0);
  // The lines with their number: an ASOF join finds how many rejected lines come before each.
  if (rejected)
    await st.run(
      `CREATE TEMP TABLE ${C.shift} AS SELECT thr, max(rank) AS shift
       FROM (SELECT thr, row_number() OVER (ORDER BY line) AS rank FROM ${C.lineRej}) GROUP BY thr`,
    );
  const numbered = rejected
    ? `(SELECT ln.rowid AS rid, ln.l, ln.k, ln.z, ln.rowid + 1 + coalesce(s.shift, 0) AS n
        FROM ${C.lines} ln ASOF LEFT JOIN ${C.shift} s ON ln.rowid >= s.thr)`
    : `(SELECT rowid AS rid, l, k, z, rowid + 1 AS n FROM ${C.lines})`;
  const rejReason = `CASE x.error_type ${types
    .map((r) => r.error_type)
    .map((t) => `WHEN ${quoteLiteral(t)} THEN ${quoteLiteral(lineErrorReason(t))}`)
    .join(' ')} END`;
  const nulls = Array.from({ length: width }, (_, i) => `CAST(NULL AS VARCHAR) AS c${i}`).join(
    ', ',
  );
  const rejectedRows = rejected
    ? `SELECT x.line, ${rejReason} AS pre_reason, CAST(NULL AS VARCHAR) AS raw_text, false AS has_nul, ${nulls}
       FROM ${C.lineRej} x WHERE x.line > 1`
    : null;

  const [counts] = await st.all<{ read: number; blank: number; quoted: number }>(
    `SELECT count(*) AS read, count(*) FILTER (WHERE l IS NULL) AS blank,
       count(*) FILTER (WHERE k = 2) AS quoted FROM ${C.lines}`,
  );
  const total = Number(counts?.read ?? 0) + rejected;
  const fields = (p: string) =>
    Array.from({ length: width }, (_, i) => `${p}[${i + 1}] AS c${i}`).join(', ');

  // 2. Lines without quotes, and lines of quoted fields simple enough (`ALL_QUOTED`,
  //    `PLAIN_QUOTED`): a record each, split without a regular expression (the header, blank lines and lines that a quoted
  //    value spanning lines took are not records). Other lines with quotes: `stageQuoted`.
  const multi = counts?.quoted ? await stageQuoted(st, width, numbered) : false;
  const inMulti = multi
    ? `AND NOT EXISTS (SELECT 1 FROM ${C.multi} m WHERE s.n BETWEEN m.i AND m.j)`
    : '';
  const plain = `SELECT n AS line,
      CASE WHEN len(p) <> ${width} THEN ${countReason('len(p)', width)} END AS pre_reason,
      CAST(NULL AS VARCHAR) AS raw_text, z AS has_nul, ${fields('p')}
    FROM (SELECT n, z,
            CASE k WHEN 1 THEN string_split(l[2:-2], '","')
              WHEN 3 THEN string_split(replace(l, '"', ''), ',') ELSE string_split(l, ',') END AS p
          FROM ${numbered} ln WHERE l IS NOT NULL AND k <> 2) s
    WHERE n > 1 ${inMulti}`;
  const parts = [plain];
  if (counts?.quoted)
    parts.push(`SELECT line, pre_reason, raw_text, has_nul, ${fields('p')} FROM ${C.qrec}`);
  if (rejectedRows) parts.push(rejectedRows);

  // 3. The line accounting: blank lines inside a quoted value continue it.
  let blank = Number(counts?.blank ?? 0);
  let continued = 0;
  if (multi) {
    const [m] = await st.all<{ continued: number; blank: number }>(
      `SELECT coalesce(sum(j - i), 0) AS continued, coalesce(sum(blank), 0) AS blank FROM ${C.multi}`,
    );
    continued = Number(m?.continued ?? 0);
    blank -= Number(m?.blank ?? 0);
  }
  return {
    select: parts.join('\nUNION ALL\n'),
    lines: { total, header: 1, blank, continued },
    crLines: nl === '\r',
    tables: Object.values(C),
  };
}

/**
 * Stage the records of the lines with double quotes as `imp_csv_qrec(line, pre_reason, raw_text,
 * p)`, with `p` the list of fields; records spanning lines go to `imp_csv_multi(i, j, blank)`
 * too. Returns whether any record spans lines.
 */
async function stageQuoted(st: StagingArea, width: number, numbered: string): Promise<boolean> {
  // The other lines with quotes, classified: complete records, and lines opening a quoted value.
  await st.run(
    `CREATE TEMP TABLE ${C.quoted} AS
     SELECT rid, n, l, complete,
       CASE WHEN NOT complete THEN regexp_full_match(l, ${quoteLiteral(OPENS)}) ELSE false END AS opens
     FROM (SELECT rid, n, l, regexp_full_match(l, ${quoteLiteral(RECORD)}) AS complete
           FROM ${numbered} q WHERE k = 2 AND n > 1) q`,
  );
  const [o] = await st.all<{ n: number }>(`SELECT count(*) AS n FROM ${C.quoted} WHERE opens`);
  let multi = Number(o?.n ?? 0) > 0;
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${C.multi} (i BIGINT, j BIGINT, blank BIGINT, text VARCHAR)`,
  );
  if (multi) {
    // A line opening a quoted value (i) and the first later line that does not stay inside one
    // (j, which must close it): the lines i..j are one record when, joined, they have the header's
    // fields within the size limits. Of several openers before the same j, the first that makes
    // such a record wins.
    await st.run(
      `CREATE TEMP TABLE imp_csv_cand AS
       WITH flags AS (
         SELECT rid, n, opens, regexp_full_match(l, ${quoteLiteral(CLOSES)}) AS closes,
           regexp_full_match(l, ${quoteLiteral(STAYS)}) AS stays
         FROM ${C.quoted}
         -- a line of quoted fields closes no quoted value and stays in none
         UNION ALL SELECT rid, n, false, false, false FROM ${numbered} q WHERE k IN (1, 3)),
       bounds AS (
         SELECT n AS j, closes, coalesce(lag(n) OVER (ORDER BY n), 1) AS p FROM flags WHERE NOT stays)
       SELECT o.n AS i, b.j, o.rid AS ri
       FROM flags o JOIN bounds b ON o.n >= b.p AND o.n < b.j
       WHERE o.opens AND b.closes AND b.j - o.n < ${MAX_RECORD_LINES}
         AND NOT EXISTS (SELECT 1 FROM ${C.lineRej} x WHERE x.line BETWEEN o.n AND b.j)`,
    );
    // The candidates that make a record, with their text: rows of the line table by position (no
    // line in between was rejected).
    await st.run(
      `CREATE TEMP TABLE imp_csv_valid AS
       SELECT i, j, blank, text FROM (
         SELECT c.i, c.j, count(*) FILTER (WHERE l.l IS NULL) AS blank,
           sum(coalesce(strlen(l.l), 0) + 1) AS bytes,
           string_agg(coalesce(l.l, ''), E'\\n' ORDER BY l.rowid) AS text
         FROM imp_csv_cand c JOIN ${C.lines} l ON l.rowid BETWEEN c.ri AND c.ri + (c.j - c.i)
         GROUP BY c.i, c.j) t
       WHERE bytes <= ${MAX_LINE_BYTES} AND regexp_full_match(text, ${quoteLiteral(RECORD)})
         AND len(regexp_extract_all(',' || text, ${quoteLiteral(`,(${F})`)}, 1)) = ${width}`,
    );
    // Per closing line, the first opener that makes a record; a line that closes one record
    // cannot open the next (it was read as the end of the first), so such a choice is dropped
    // and the next opener tried, until no two records share a line.
    for (let round = 0; ; round++) {
      await st.run(
        `CREATE OR REPLACE TEMP TABLE ${C.multi} AS
         SELECT i, j, blank, text FROM imp_csv_valid QUALIFY row_number() OVER (PARTITION BY j ORDER BY i) = 1`,
      );
      const drop = `FROM ${C.multi} WHERE i IN (SELECT j FROM ${C.multi})`;
      const [c] = await st.all<{ n: number }>(`SELECT count(*) AS n ${drop}`);
      if (!c?.n) break;
      if (round === 50) {
        await st.run(`DELETE ${drop}`);
        break;
      }
      await st.run(`DELETE FROM imp_csv_valid WHERE (i, j) IN (SELECT (i, j) ${drop})`);
    }
    await st.run(`DROP TABLE imp_csv_valid`);
    await st.run(`DROP TABLE imp_csv_cand`);
    const [m] = await st.all<{ n: number }>(`SELECT count(*) AS n FROM ${C.multi}`);
    multi = Number(m?.n ?? 0) > 0;
  }
  const unquote = `f -> CASE WHEN regexp_matches(f, '^ *"') THEN replace(regexp_extract(f, '^ *"((?s:.*))" *$', 1), '""', '"') ELSE f END`;
  const parse = (t: string) =>
    `list_transform(regexp_extract_all(',' || ${t}, ${quoteLiteral(`,(${F})`)}, 1), ${unquote})`;
  await st.run(
    `CREATE TEMP TABLE ${C.qrec} AS
     SELECT i AS line, CAST(NULL AS VARCHAR) AS pre_reason, text AS raw_text,
       contains(text, chr(0)) AS has_nul, ${parse('text')} AS p
     FROM ${C.multi}
     UNION ALL
     SELECT n, CASE WHEN NOT complete THEN CASE WHEN opens THEN ${quoteLiteral(UNCLOSED)} ELSE ${quoteLiteral(MALFORMED)} END
         WHEN len(p) <> ${width} THEN ${countReason('len(p)', width)} END,
       CAST(NULL AS VARCHAR), contains(l, chr(0)), p
     FROM (SELECT n, l, complete, opens, CASE WHEN complete THEN ${parse('l')} END AS p
           FROM ${C.quoted} q
           ${multi ? `WHERE NOT EXISTS (SELECT 1 FROM ${C.multi} m WHERE q.n BETWEEN m.i AND m.j)` : ''})`,
  );
  await st.run(`DROP TABLE ${C.quoted}`);
  return multi;
}
