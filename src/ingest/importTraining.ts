/**
 * Training records (issue #5): canonical CSV (`user_id, course, completed_at, hours[, source]`) or
 * xAPI statements (a JSON array, a single statement, an LRS `{"statements": […]}` response, or
 * NDJSON, one statement a line). Both end in `loadStaged`, so they carry the import guarantees of
 * events: validation with reasons, rejects file, idempotence (one row per user, course and
 * completion instant), one transaction, a report.
 *
 * xAPI mapping (xAPI 1.0.3, "Experience API" specification, ADL 2013–2016):
 * - only statements whose `verb.id` ends in `/completed` or `/passed` are training completions;
 *   other verbs (attempted, experienced, voided, …) are skipped and counted in the report's notes;
 * - `user_id` = `actor.account.name`, else the address of `actor.mbox` without `mailto:`;
 * - `course` = `object.definition.name` (`en-US`, else `en`, else its first language), else `object.id`;
 * - `completed_at` = `timestamp`, else `stored`;
 * - `hours` = `result.duration` (ISO 8601 duration such as `PT1H30M`) in hours, else empty.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { invalid } from '../errors/UptakeError.ts';
import type { Store } from '../store/Store.ts';
import { importCsv } from './importCsv.ts';
import { checkInputFile, importFault } from './importFiles.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from './loadStaged.ts';
import { TRAINING_FORMATS } from '../model/constants.ts';

/** The forms accepted, from the model (`src/model/constants.ts`). */
export { TRAINING_FORMATS };
export type TrainingFormat = (typeof TRAINING_FORMATS)[number];

export type TrainingImportOptions = Omit<ImportOptions, 'table' | 'actionMap'> & {
  format: TrainingFormat;
};

/** Import one training file into `store`. */
export async function importTraining(
  store: Store,
  opts: TrainingImportOptions,
): Promise<ImportReport> {
  const { format, ...rest } = opts;
  await checkInputFile(opts.file);
  try {
    if (format === 'csv') return await importCsv(store, { ...rest, table: 'training' });
    return await importXapi(store, rest);
  } catch (e) {
    throw importFault(e, opts.label ?? opts.file);
  }
}

/** One staged xAPI record: every field as text ('' = absent). */
type Staged = [
  line: string,
  pre_reason: string,
  raw_text: string,
  user_id: string,
  course: string,
  completed_at: string,
  hours: string,
];

const XAPI_TABLE = 'imp_xapi';

/** Hours of an ISO 8601 duration (`P1DT2H30M`, `PT45M`, `PT5400S`); null when it is not one. */
export function isoDurationHours(s: string): number | null {
  const m =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      s,
    );
  if (!m || s === 'P' || s.endsWith('T')) return null;
  const [w, d, h, min, sec] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return (w ?? 0) * 168 + (d ?? 0) * 24 + (h ?? 0) + (min ?? 0) / 60 + (sec ?? 0) / 3600;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The course name of an xAPI activity: its English name, else any name, else its id. */
function courseOf(object: Record<string, unknown>): string {
  const def = object['definition'];
  if (isObject(def) && isObject(def['name'])) {
    const names = def['name'];
    const pick = str(names['en-US']) || str(names['en']) || str(Object.values(names)[0]);
    if (pick) return pick;
  }
  return str(object['id']);
}

/**
 * Map one statement to a staged record, or to `null` when its verb is not a completion.
 * Problems that stop the mapping become the record's `pre_reason`.
 */
export function stageStatement(stmt: unknown, line: number): Staged | null {
  const raw = JSON.stringify(stmt);
  const rec = (reason: string, u = '', c = '', t = '', h = ''): Staged => [
    String(line),
    reason,
    raw,
    u,
    c,
    t,
    h,
  ];
  if (!isObject(stmt)) return rec('the entry is not an xAPI statement (a JSON object)');
  const verb = stmt['verb'];
  const verbId = isObject(verb) ? str(verb['id']) : '';
  if (!verbId) return rec('verb.id is missing; an xAPI statement needs a verb');
  if (!/\/(completed|passed)$/.test(verbId)) return null;
  const actor = stmt['actor'];
  let user = '';
  if (isObject(actor)) {
    const account = actor['account'];
    user =
      (isObject(account) ? str(account['name']) : '') ||
      str(actor['mbox']).replace(/^mailto:/i, '');
  }
  if (!user)
    return rec(
      'actor has neither account.name nor mbox; give the user id as actor.account.name (as in the roster)',
    );
  const object = stmt['object'];
  const course = isObject(object) ? courseOf(object) : '';
  if (!course) return rec('object has neither definition.name nor id; name the course');
  const when = str(stmt['timestamp']) || str(stmt['stored']);
  const result = stmt['result'];
  const duration = isObject(result) ? str(result['duration']) : '';
  let hours = '';
  if (duration) {
    const h = isoDurationHours(duration);
    if (h === null)
      return rec(
        `result.duration "${duration}" is not an ISO 8601 duration such as PT1H30M`,
        user,
        course,
        when,
      );
    hours = String(h);
  }
  return rec('', user, course, when, hours);
}

/** Statements of a parsed JSON document: an array, one statement, or an LRS result object. */
function statementsOf(doc: unknown): unknown[] | null {
  if (Array.isArray(doc)) return doc as unknown[];
  if (isObject(doc) && Array.isArray(doc['statements'])) return doc['statements'] as unknown[];
  if (isObject(doc) && 'verb' in doc) return [doc];
  return null;
}

/** Is the file NDJSON (its first non-empty line is a whole JSON object) rather than one document? */
async function isNdjson(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const first = head.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
    if (!first.trim().startsWith('{')) return false;
    try {
      JSON.parse(first);
      return true;
    } catch {
      return false;
    }
  } finally {
    await fh.close();
  }
}

async function importXapi(
  store: Store,
  opts: Omit<ImportOptions, 'table' | 'actionMap'>,
): Promise<ImportReport> {
  const t0 = Date.now();
  const size = await stat(opts.file).catch(() => null);
  if (!size) throw invalid(`${opts.file}: no such file`);
  if (size.size === 0) throw invalid(`${opts.file} is empty; expected xAPI statements`);
  const records: Staged[] = [];
  const parseErrors: { line: number; reason: string; raw: string }[] = [];
  let skipped = 0;
  const add = (stmt: unknown, line: number): void => {
    // An LRS page ({"statements": [...]}) written on one line.
    if (isObject(stmt) && !('verb' in stmt) && Array.isArray(stmt['statements'])) {
      for (const s of stmt['statements'] as unknown[]) add(s, line);
      return;
    }
    const r = stageStatement(stmt, line);
    if (r) records.push(r);
    else skipped++;
  };
  if (await isNdjson(opts.file)) {
    // NDJSON is read line by line: a file of any size, one statement a line.
    let n = 0;
    const rl = createInterface({ input: createReadStream(opts.file), crlfDelay: Infinity });
    for await (const line of rl) {
      n++;
      if (line.trim() === '') continue;
      let stmt: unknown;
      try {
        stmt = JSON.parse(line);
      } catch (e) {
        records.push([
          String(n),
          `the line is not valid JSON: ${(e as Error).message}`,
          line,
          '',
          '',
          '',
          '',
        ]);
        continue;
      }
      add(stmt, n);
    }
  } else {
    // A JSON document (an array or an LRS page) is parsed whole; positions are entry numbers.
    let doc: unknown;
    try {
      doc = JSON.parse((await readFile(opts.file, 'utf8')).replace(/^\uFEFF/, ''));
    } catch (e) {
      throw invalid(
        `${opts.file} is neither NDJSON (one xAPI statement a line) nor a JSON document: ${(e as Error).message}`,
      );
    }
    const list = statementsOf(doc);
    if (!list)
      throw invalid(
        `${opts.file}: expected xAPI statements (an array, a statement, or {"statements": […]})`,
      );
    list.forEach((s, i) => add(s, i + 1));
  }

  const st = await store.staging();
  for (const v of [T.good, T.val]) await st.run(`DROP VIEW IF EXISTS ${v}`);
  await st.run(`DROP TABLE IF EXISTS ${XAPI_TABLE}`);
  await st.run(
    `CREATE TEMP TABLE ${XAPI_TABLE} (line VARCHAR, pre_reason VARCHAR, raw_text VARCHAR, user_id VARCHAR,
       course VARCHAR, completed_at VARCHAR, hours VARCHAR)`,
  );
  if (records.length) await st.appendText(XAPI_TABLE, records);
  return loadStaged(store, st, {
    ...opts,
    table: 'training',
    format: 'xapi',
    t0,
    sourceSelect: `SELECT CAST(line AS BIGINT) AS line, nullif(pre_reason, '') AS pre_reason, raw_text,
      nullif(user_id, '') AS user_id, nullif(course, '') AS course, nullif(completed_at, '') AS completed_at,
      nullif(hours, '') AS hours, 'xapi' AS source FROM ${XAPI_TABLE}`,
    parseErrors,
    unknownColumns: [],
    tempTables: [XAPI_TABLE],
    notes: { statements_other_verbs: skipped },
  });
}
