/**
 * Responses collected by another tool, imported from CSV into a survey (§3), with the guarantees
 * of every import (`src/ingest/README.md`): the file is read by the engine as records that know
 * their physical lines (`stageCsv`), validated in one SQL pass with reasons that name the column
 * and describe the value's shape (never quote it), bad rows kept aside with line and reason
 * (`import_rejects` and a rejects file written by the importers' own `writeRejectsFiles`), good
 * rows stored, one transaction, one `imports` entry; a re-import stores nothing twice.
 *
 * The file: one row per response, an `id` column (the response's id in its source), one column per
 * item, named by its linkId (`sus1` … `sus10`, `nps`, `net1` …, or a custom survey's), and
 * optionally `department`, `specialty`, `role` (the respondent's groups, for results per group) and
 * `submitted_at` (an instant with its offset; empty: the time of the import). An empty cell is an
 * item left unanswered. Other columns are listed in the report and ignored.
 *
 * The source id is never stored: a response is kept under the keyed hash of (survey, id)
 * (`externalKey`, shared with the FHIR import, so the same response arriving both ways is stored
 * once). An anonymous survey's responses keep only their day.
 */
import { rm } from 'node:fs/promises';
import { invalid } from '../errors/UptakeError.ts';
import type { StagedColumn, Store } from '../store/Store.ts';
import { quoteLiteral } from '../store/quote.ts';
import { readCsvHeader } from '../ingest/csvHeader.ts';
import { stageCsv, type CsvLines } from '../ingest/csvRecords.ts';
import { withProgress } from '../ingest/importCsv.ts';
import { checkInputFile, importFault } from '../ingest/importFiles.ts';
import {
  nextImportId,
  REJ,
  writeRejectsFiles,
  type ImportReport,
  type PendingFile,
} from '../ingest/loadStaged.ts';
import { hasNoOffset, valueShape } from '../ingest/tableSpecs.ts';
import type { SurveyItem } from '../model/survey.ts';
import { externalKey } from './surveyFhir.ts';
import { surveyItems, surveyOrThrow } from './surveyStore.ts';

export interface SurveyCsvOptions {
  surveyId: string;
  file: string;
  /** What the report and the imports list call the file (an upload: its own name). */
  label?: string | undefined;
  /** Folder for the rejects file. */
  rejectsDir: string;
  /** The secret the source ids are hashed under (kept outside the database). */
  key: Uint8Array;
  /** The time given to rows without `submitted_at` (default: now). */
  now?: Date;
  onProgress?: ((fraction: number) => void) | undefined;
}

/**
 * The report of an import of responses: the importers' `ImportReport` (so the imports list, the
 * CLI and the API show it as any other), for table `survey_responses`, with the survey and the
 * items the file had columns for. `rows_duplicate` counts rows whose id came earlier in the file
 * or was stored by an earlier import; `time_range` spans the stored rows' `submitted_at`.
 */
export type SurveyCsvReport = Omit<ImportReport, 'table' | 'lines'> & {
  table: 'survey_responses';
  format: 'csv';
  survey_id: string;
  items: string[];
  lines: CsvLines;
};

const S = {
  val: 'imp_srv_val',
  keys: 'imp_srv_keys',
  good: 'imp_srv_good',
  ans: 'imp_srv_ans',
};
const OPTIONAL = ['department', 'specialty', 'role', 'submitted_at'] as const;
const DAY_US = 86_400_000_000;

/** Import the CSV file of responses `o.file` into survey `o.surveyId`. */
export async function importSurveyResponsesCsv(
  store: Store,
  o: SurveyCsvOptions,
): Promise<SurveyCsvReport> {
  await checkInputFile(o.file);
  try {
    return await importCsvFile(store, o);
  } catch (e) {
    throw importFault(e, o.label ?? o.file);
  }
}

/** The SQL reason (or none) of an item's cell `c` (text as written). */
function itemReason(item: SurveyItem, c: string): string {
  const shape = valueShape(c);
  const name = quoteLiteral(item.link_id);
  const bad = (cond: string, todo: string) =>
    `WHEN ${c} <> '' AND ${cond} THEN ${name} || ' ' || ${shape} || ${quoteLiteral(`; ${todo} or leave it empty`)}`;
  switch (item.type) {
    case 'likert5':
      return bad(`NOT regexp_full_match(trim(${c}), '[1-5]')`, 'give a whole number from 1 to 5');
    case 'scale0_10':
      return bad(
        `NOT regexp_full_match(trim(${c}), '10|[0-9]')`,
        'give a whole number from 0 to 10',
      );
    case 'single_choice':
      return bad(
        `trim(${c}) NOT IN (${item.choices!.map(quoteLiteral).join(', ')})`,
        `give one of its choices (${item.choices!.join(', ')})`,
      );
    case 'free_text':
      return bad(`length(${c}) > 4000`, 'shorten it to 4000 characters');
  }
}

async function importCsvFile(store: Store, o: SurveyCsvOptions): Promise<SurveyCsvReport> {
  const t0 = Date.now();
  const label = o.label ?? o.file;
  const survey = await surveyOrThrow(store, o.surveyId);
  const items = await surveyItems(store, o.surveyId);
  const header = await readCsvHeader(o.file);
  const dup = header.find((c, i) => header.indexOf(c) !== i);
  if (dup) throw invalid(`${label}, line 1: column ${dup} appears twice; keep one`);
  const at = (name: string) => {
    const exact = header.indexOf(name);
    if (exact >= 0) return exact;
    const folded = header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    return folded;
  };
  const idCol = at('id');
  const present = items.filter((i) => at(i.link_id) >= 0);
  const expected = `the header must name id and the items' linkIds (${items.map((i) => i.link_id).join(', ')}); optional: ${OPTIONAL.join(', ')}`;
  if (idCol < 0) throw invalid(`${label}, line 1: no id column; ${expected}`);
  if (!present.length)
    throw invalid(`${label}, line 1: no column of an item of survey ${survey.id}; ${expected}`);
  const known = new Set(
    [idCol, ...present.map((i) => at(i.link_id)), ...OPTIONAL.map(at)].filter((i) => i >= 0),
  );
  const unknown = header.filter((h, i) => h && !known.has(i));

  const st = await store.staging();
  for (const t of [...Object.values(S), REJ]) await st.run(`DROP TABLE IF EXISTS ${t}`);
  const csv = await stageCsv(st, o.file, header, (work) => withProgress(st, o.onProgress, work));
  const col = (i: number) => `c${i}`;
  const opt = (name: string) => (at(name) >= 0 ? col(at(name)) : `''`);
  const used = [
    idCol,
    ...present.map((i) => at(i.link_id)),
    ...OPTIONAL.map(at).filter((i) => i >= 0),
  ];
  const sub = opt('submitted_at');
  const nowUs = (o.now ?? new Date()).getTime() * 1000;
  // the instant of a row: its submitted_at (with its offset), else the import's; a day when anonymous
  const usOf = (c: string) =>
    `CASE WHEN ${c} <> '' THEN epoch_us(TRY_CAST(${c} AS TIMESTAMPTZ)) ELSE CAST(${nowUs} AS BIGINT) END`;
  const reasons = [
    ...used.map(
      (i) =>
        `WHEN contains(${col(i)}, chr(0)) THEN ${quoteLiteral(`${header[i]} holds a NUL byte (character 0), which cannot be stored; remove it`)}`,
    ),
    `WHEN trim(${col(idCol)}) = '' THEN 'id is empty; give each response the id it has in its source'`,
    `WHEN ${sub} <> '' AND (${hasNoOffset(sub)} OR TRY_CAST(${sub} AS TIMESTAMPTZ) IS NULL) THEN 'submitted_at ' || ${valueShape(sub)} || ' is not an instant with its offset such as 2026-03-02T09:30:00Z; fix it or leave it empty'`,
    ...present.map((i) => itemReason(i, col(at(i.link_id)))),
    `WHEN ${present.map((i) => `${col(at(i.link_id))} = ''`).join(' AND ')} THEN 'no item is answered; fill in its answers or leave the row out'`,
  ];
  await st.run(
    `CREATE TEMP TABLE ${S.val} AS
     SELECT line, raw_text, CASE WHEN pre_reason IS NOT NULL THEN pre_reason ${reasons.join('\n')} ELSE NULL END AS reason,
       trim(${col(idCol)}) AS rid,
       ${OPTIONAL.slice(0, 3)
         .map((g) => `nullif(trim(${opt(g)}), '') AS ${g}`)
         .join(', ')},
       ${present.map((i, j) => `${col(at(i.link_id))} AS a${j}`).join(', ')},
       ${sub} AS sub
     FROM (${csv.select}) r`,
  );
  const [stats] = await st.all<{ read: number; rejected: number }>(
    `SELECT count(*) AS read, count(reason) AS rejected FROM ${S.val}`,
  );
  const read = Number(stats?.read ?? 0);
  const rejected = Number(stats?.rejected ?? 0);

  // The keyed hash of each distinct id, computed page by page (memory does not grow with the file).
  await st.run(`CREATE TEMP TABLE ${S.keys} (rid VARCHAR, k VARCHAR)`);
  for (let last: string | null = null; ;) {
    const page: { rid: string }[] = await st.all<{ rid: string }>(
      `SELECT DISTINCT rid FROM ${S.val} WHERE reason IS NULL ${last === null ? '' : 'AND rid > $1'} ORDER BY rid LIMIT 50000`,
      last === null ? [] : [last],
    );
    if (!page.length) break;
    await st.appendText(
      S.keys,
      page.map((p) => [p.rid, externalKey(o.key, survey.id, p.rid)]),
    );
    last = page[page.length - 1]!.rid;
  }
  const instant = survey.anonymous
    ? `((${usOf('v.sub')}) // ${DAY_US}) * ${DAY_US}`
    : usOf('v.sub');
  await st.run(
    `CREATE TEMP TABLE ${S.good} AS
     SELECT 'c-' || substr(k.k, 1, 24) AS id, k.k AS external_key,
       make_timestamptz(CAST(${instant} AS BIGINT)) AS submitted_at,
       v.department, v.specialty, v.role, ${present.map((_, j) => `v.a${j}`).join(', ')}
     FROM (SELECT * FROM ${S.val} WHERE reason IS NULL
           QUALIFY row_number() OVER (PARTITION BY rid ORDER BY line) = 1) v
     JOIN ${S.keys} k ON k.rid = v.rid`,
  );
  const [range] = await st.all<{ lo: string | null; hi: string | null }>(
    `SELECT strftime(min(submitted_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS lo,
       strftime(max(submitted_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS hi FROM ${S.good}`,
  );
  const numeric = (i: SurveyItem) => i.type === 'likert5' || i.type === 'scale0_10';
  await st.run(
    `CREATE TEMP TABLE ${S.ans} AS ${present
      .map(
        (i, j) =>
          `SELECT id AS response_id, ${quoteLiteral(i.link_id)} AS link_id,
             ${numeric(i) ? `CAST(trim(a${j}) AS DOUBLE)` : 'CAST(NULL AS DOUBLE)'} AS value_number,
             ${numeric(i) ? 'CAST(NULL AS VARCHAR)' : i.type === 'single_choice' ? `trim(a${j})` : `a${j}`} AS value_text
           FROM ${S.good} WHERE a${j} <> ''`,
      )
      .join(' UNION ALL ')}`,
  );
  await st.run(
    `CREATE TEMP TABLE ${REJ} AS SELECT row_number() OVER (ORDER BY line) AS k, CAST(0 AS BIGINT) AS file_no,
       line, reason, raw_text FROM ${S.val} WHERE reason IS NOT NULL`,
  );

  const RESP_COLS: StagedColumn[] = [
    { name: 'id', type: 'VARCHAR' },
    { name: 'external_key', type: 'VARCHAR' },
    { name: 'submitted_at', type: 'TIMESTAMPTZ' },
    { name: 'department', type: 'VARCHAR' },
    { name: 'specialty', type: 'VARCHAR' },
    { name: 'role', type: 'VARCHAR' },
  ];
  const ANS_COLS: StagedColumn[] = [
    { name: 'response_id', type: 'VARCHAR' },
    { name: 'link_id', type: 'VARCHAR' },
    { name: 'value_number', type: 'DOUBLE' },
    { name: 'value_text', type: 'VARCHAR' },
  ];
  const pending: PendingFile[] = [];
  const report = await store
    .transaction(async (tx) => {
      const importId = await nextImportId(store, tx);
      const resp = await store.upload(tx, S.good, RESP_COLS);
      const stored = await tx.exec(
        `INSERT INTO survey_responses (id, survey_id, submitted_at, respondent, department, specialty, role, source, external_key, import_id)
         SELECT s.id, CAST($1 AS VARCHAR), s.submitted_at, NULL, s.department, s.specialty, s.role, 'csv', s.external_key, CAST($2 AS INTEGER)
         FROM ${resp} s
         WHERE NOT EXISTS (SELECT 1 FROM survey_responses t WHERE t.survey_id = CAST($1 AS VARCHAR) AND t.external_key = s.external_key)`,
        [survey.id, importId],
      );
      const ans = await store.upload(tx, S.ans, ANS_COLS);
      await tx.run(
        `INSERT INTO survey_answers (response_id, link_id, value_number, value_text)
         SELECT a.response_id, a.link_id, a.value_number, a.value_text FROM ${ans} a
         JOIN survey_responses r ON r.id = a.response_id AND r.import_id = $1`,
        [importId],
      );
      const out: SurveyCsvReport = {
        import_id: importId,
        table: 'survey_responses',
        format: 'csv',
        survey_id: survey.id,
        file: label,
        items: present.map((i) => i.link_id),
        rows_read: read,
        rows_stored: stored,
        rows_updated: 0,
        rows_rejected: rejected,
        rows_duplicate: read - rejected - stored,
        unmapped_events: 0,
        top_unmapped_actions: [],
        unknown_columns: unknown,
        rejects_file: null,
        time_range: range?.lo && range.hi ? { from: range.lo, to: range.hi } : null,
        lines: csv.lines,
        seconds: 0,
      };
      if (rejected) {
        const up = await store.upload(tx, REJ, [
          { name: 'line', type: 'BIGINT' },
          { name: 'reason', type: 'VARCHAR' },
        ]);
        await tx.run(
          `INSERT INTO import_rejects (import_id, line, reason) SELECT $1, line, reason FROM ${up}`,
          [importId],
        );
        const [path] = await writeRejectsFiles(
          st,
          { rejectsDir: o.rejectsDir, file: o.file, table: 'survey_responses' },
          importId,
          [o.file],
          csv.crLines ? '\r' : '\n',
          pending,
        );
        out.rejects_file = path ?? null;
      }
      out.seconds = (Date.now() - t0) / 1000;
      await tx.run(
        `INSERT INTO imports (import_id, table_name, format, file, started_at, finished_at, rows_read, rows_stored,
           rows_rejected, rows_duplicate, unmapped, report)
         VALUES ($1, 'survey_responses', 'csv', $2, CAST($3 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ), $5, $6, $7, $8, 0, $9)`,
        [
          importId,
          label,
          new Date(t0).toISOString(),
          new Date().toISOString(),
          out.rows_read,
          out.rows_stored,
          out.rows_rejected,
          out.rows_duplicate,
          JSON.stringify(out),
        ],
      );
      return out;
    })
    .catch(async (e: unknown) => {
      // As loadStaged: the rejects file belongs to the transaction (kept only if it may have committed).
      const unknownOutcome = (e as { whileCommitting?: boolean }).whileCommitting === true;
      for (const f of pending) {
        if (!unknownOutcome) await rm(f.path, { force: true }).catch(() => undefined);
        f.settle();
      }
      throw e;
    });
  for (const f of pending) f.settle();
  for (const t of [...Object.values(S), REJ, ...csv.tables])
    await st.run(`DROP TABLE IF EXISTS ${t}`);
  return report;
}
