/**
 * FHIR R4 import (`shared/spec/formats.md` §3–§5): AuditEvent → events, Practitioner +
 * PractitionerRole → clinicians, Schedule + Slot + Appointment → schedule, MedicationRequest +
 * ServiceRequest → orders. Files are NDJSON, Bundles or single resources (`read.ts`); each
 * table's mapping is SQL over the staged resources; `loadStaged` validates, pseudonymizes and
 * stores in one transaction, with one report for all the files of the call.
 */
import { invalid } from '../../errors/UptakeError.ts';
import { CSV_COLUMNS, type ImportTable, type TableName } from '../../model/canonical.ts';
import type { StagingArea, Store } from '../../store/Store.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from '../loadStaged.ts';
import { instantSql, TABLE_SPECS, typed, TZ } from '../tableSpecs.ts';
import { mapAuditEvents } from './auditEvent.ts';
import { mapOrders } from './orders.ts';
import { createRecordTables, createRecordView, F, linesTable, readFile } from './read.ts';
import { mapRoster } from './roster.ts';
import { mapSchedule } from './schedule.ts';
import { lit } from './sql.ts';

export type FhirImportOptions = Omit<ImportOptions, 'file'> & { files: string[] };

interface Mapping {
  /** Resource types that give rows, and those only read to resolve references. */
  types: readonly string[];
  helpers: readonly string[];
  /** For "resourceType X is not …". */
  expected: string;
  map(st: StagingArea, opts: FhirImportOptions): Promise<void>;
}

const MAPPINGS: Record<TableName, Mapping> = {
  events: {
    types: ['AuditEvent'],
    helpers: [],
    expected: 'an AuditEvent',
    map: (st, o) => mapAuditEvents(st, o.actionMap),
  },
  clinicians: {
    types: ['Practitioner', 'PractitionerRole'],
    helpers: [],
    expected: 'a Practitioner or PractitionerRole',
    map: (st) => mapRoster(st),
  },
  schedule: {
    types: ['Schedule', 'Slot', 'Appointment'],
    helpers: ['PractitionerRole'],
    expected: 'a Schedule, Slot or Appointment',
    map: (st) => mapSchedule(st),
  },
  orders: {
    types: ['MedicationRequest', 'ServiceRequest'],
    // A Provenance with an `enterer` agent names who entered an order (R4 ServiceRequest has no recorder).
    helpers: ['Provenance'],
    expected: 'a MedicationRequest or ServiceRequest',
    map: (st) => mapOrders(st),
  },
};

/** Import FHIR files (one or several, read together) into one canonical table of `store`. */
export async function importFhir(store: Store, opts: FhirImportOptions): Promise<ImportReport> {
  const t0 = Date.now();
  const { files, ...rest } = opts;
  if (!files.length) throw invalid('no FHIR file given');
  const mapping = (MAPPINGS as Partial<Record<ImportTable, Mapping>>)[opts.table];
  if (!mapping) {
    throw invalid(
      `FHIR files fill events, clinicians, schedule or orders, not ${opts.table}; import ${opts.table} as CSV`,
    );
  }
  const st = await store.staging();
  const views = [T.good, T.val, F.rec];
  const tables = [
    ...Object.values(F).filter((t) => t !== F.rec),
    ...Object.values(T).filter((t) => t !== T.good && t !== T.val),
    ...files.map((_, i) => linesTable(i)),
    'imp_fhir_roles',
    'imp_fhir_sched',
    'imp_fhir_entries',
  ];
  const drop = async () => {
    for (const v of views) await st.run(`DROP VIEW IF EXISTS ${v}`);
    for (const t of tables) await st.run(`DROP TABLE IF EXISTS ${t}`);
  };
  await drop();
  try {
    // 1. Read every file (each is refused, before anything is stored, if it is not FHIR).
    await createRecordTables(st, files);
    const ndjson: number[] = [];
    for (const [i, f] of files.entries()) {
      if ((await readFile(st, f, i, opts.onProgress)) === 'ndjson') ndjson.push(i);
    }
    await createRecordView(st, ndjson);

    // 2. Map the resources of the table's types; every other record is a rejected row.
    const cols = [...CSV_COLUMNS[opts.table].required, ...CSV_COLUMNS[opts.table].optional];
    await st.run(
      `CREATE TEMP TABLE ${F.map} (rec_id BIGINT, ${cols.map((c) => `"${c}" VARCHAR`).join(', ')},
         fhir_reason VARCHAR, skip VARCHAR, hint VARCHAR)`,
    );
    await mapping.map(st, opts);
    const known = [...mapping.types, ...mapping.helpers].map(lit).join(', ');
    await st.run(
      `INSERT INTO ${F.map} (rec_id, fhir_reason, skip)
       SELECT rec_id, coalesce(base_reason, 'resourceType ' || rtype || ' is not ' || ${lit(mapping.expected)}),
         CASE WHEN base_reason IS NULL AND smode IN ('include', 'outcome') THEN 'search_entries_' || smode || '_skipped' END
       FROM ${F.rec} WHERE base_reason IS NOT NULL OR rtype NOT IN (${known})`,
    );
    const notes = await countNotes(st);

    // 3. The rows for loadStaged, computed once with every reason located; a rejected row keeps
    //    its verbatim text. The resources' texts are then released before loadStaged validates
    //    (again, identically), pseudonymizes and stores.
    await st.run(`CREATE OR REPLACE TEMP TABLE imp_params AS SELECT CAST($1 AS VARCHAR) AS tz`, [
      opts.sourceTz ?? null,
    ]);
    await st.run(`CREATE TEMP TABLE ${F.located} AS ${locatedRows(opts.table, files.length > 1)}`);
    await st.run(
      `CREATE TEMP TABLE ${F.src} AS
       SELECT l.* EXCLUDE (rec_id), CASE WHEN l.pre_reason IS NOT NULL THEN coalesce(x.raw, '') END AS raw_text
       FROM ${F.located} l LEFT JOIN (
         SELECT rec_id, raw FROM ${F.rec}
         WHERE rec_id IN (SELECT rec_id FROM ${F.located} WHERE pre_reason IS NOT NULL)) x
       ON x.rec_id = l.rec_id`,
    );
    await st.run(`DROP VIEW ${F.rec}`);
    for (const t of tables.filter((t) => t !== F.src && t !== F.names))
      await st.run(`DROP TABLE IF EXISTS ${t}`);
    const report = await loadStaged(store, st, {
      ...rest,
      file: files.join(', '),
      actionMap: undefined, // categories are resolved by the FHIR mapping (user's map first)
      format: 'fhir',
      t0,
      sourceSelect: `SELECT line, pre_reason, raw_text, ${cols.map((c) => `"${c}"`).join(', ')} FROM ${F.src}`,
      parseErrors: [],
      unknownColumns: [],
      tempTables: [F.src, F.names],
      notes,
      ...(opts.table === 'events' ? { actionNames: F.names } : {}),
    });
    return report;
  } catch (e) {
    await drop().catch(() => undefined);
    throw e;
  }
}

/** The report's notes: resources read, and those that are not rows, by why. */
async function countNotes(st: StagingArea): Promise<Record<string, number>> {
  const [all] = await st.all<{ n: number }>(`SELECT count(*) AS n FROM ${F.rec}`);
  const skipped = await st.all<{ skip: string; n: number }>(
    `SELECT skip, count(DISTINCT rec_id) AS n FROM ${F.map} WHERE skip IS NOT NULL GROUP BY skip ORDER BY skip`,
  );
  return Object.fromEntries([
    ['resources_read', all?.n ?? 0],
    ...skipped.map((s) => [s.skip, s.n] as const),
  ]);
}

/**
 * SQL: the rows handed to `loadStaged` — the canonical text columns, the position (line number,
 * or entry number in a Bundle) and why the row cannot be stored. Every reason, the mapping's and
 * the table's own checks (`TABLE_SPECS`, evaluated exactly as `loadStaged` does), is prefixed
 * with where the record is when the line column alone does not say it: the Bundle entry, and the
 * file when several were given.
 */
function locatedRows(table: ImportTable, severalFiles: boolean): string {
  const spec = TABLE_SPECS[table];
  const cols = [...CSV_COLUMNS[table].required, ...CSV_COLUMNS[table].optional];
  const where = severalFiles
    ? `f.fname || CASE r.form WHEN 'line' THEN ' line ' || r.pos WHEN 'entry' THEN ' Bundle entry ' || r.pos ELSE '' END || ': '`
    : `CASE r.form WHEN 'entry' THEN 'Bundle entry ' || r.pos || ': ' ELSE '' END`;
  const instants = spec.instants
    .map((f) => `, ${instantSql(`mm."${f}"`, TZ)} AS ${typed(f)}`)
    .join('');
  return `SELECT rec_id, line, CASE WHEN r0 IS NOT NULL THEN loc || r0 END AS pre_reason,
      ${cols.map((c) => `"${c}"`).join(', ')}
    FROM (
      SELECT m.rec_id, r.pos AS line, ${where} AS loc, ${cols.map((c) => `m."${c}"`).join(', ')},
        CASE WHEN m.fhir_reason IS NOT NULL THEN m.fhir_reason ${spec.reasons.join('\n')} ELSE NULL END AS r0
      FROM (SELECT mm.*${instants} FROM ${F.map} mm WHERE mm.skip IS NULL) m
      JOIN ${F.rec} r ON r.rec_id = m.rec_id
      JOIN ${F.files} f ON f.file_no = r.file_no)`;
}
