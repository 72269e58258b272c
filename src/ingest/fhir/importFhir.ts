/**
 * FHIR R4 import (`docs/formats.md`): AuditEvent → events, Practitioner +
 * PractitionerRole → clinicians, Schedule + Slot + Appointment → schedule, MedicationRequest +
 * ServiceRequest → orders; the patient side: AuditEvent of a patient → patient_events,
 * Communication → messages, DiagnosticReport + DocumentReference → releases. Files are NDJSON, Bundles or single resources (`read.ts`); each
 * table's mapping is SQL over the staged resources; `loadStaged` validates, pseudonymizes and
 * stores in one transaction, with one report for all the files of the call.
 */
import { invalid } from '../../errors/UptakeError.ts';
import { CSV_COLUMNS, type ImportTable } from '../../model/canonical.ts';
import { NPI_SYSTEM } from '../../model/clinicianIdentifiers.ts';
import type { StagingArea, Store } from '../../store/Store.ts';
import { loadStaged, T, type ImportOptions, type ImportReport } from '../loadStaged.ts';
import { instantSql, TABLE_SPECS, typed, TZ } from '../tableSpecs.ts';
import { AUDIT_EVENT_TABLES, mapAuditEvents } from './auditEvent.ts';
import {
  I,
  IDENTITY_TABLES,
  prepareIdentities,
  stageIdentitiesToStore,
  storeIdentities,
} from './identities.ts';
import { mapOrders, ORDER_TABLES } from './orders.ts';
import { mapMessages, mapPatientEvents, mapReleases, PATIENT_SIDE_TABLES } from './patientSide.ts';
import { createRecordTables, createRecordView, F, linesTable, readFile } from './read.ts';
import { mapRoster } from './roster.ts';
import { mapSchedule, SCHEDULE_TABLES } from './schedule.ts';
import { quoteLiteral } from '../../store/quote.ts';

export interface FhirOptions {
  /**
   * The identifier system that keys the roster (`clinicians.user_id` is a Practitioner's
   * identifier of this system, else `Practitioner/<id>`); the NPI by default.
   */
  identifierSystem?: string | undefined;
  /** The role of a practitioner without any PractitionerRole (or one without code); roster only. */
  defaultRole?: string | undefined;
}

export type FhirImportOptions = Omit<ImportOptions, 'file'> & { files: string[] } & FhirOptions;

/** The prefix of the report's notes that count, per resource type, resources that are no rows. */
export const SKIPPED_TYPE_NOTE = 'skipped_resource_type:';

/** Resources read by every mapping to resolve who a reference names (`identities.ts`). */
const IDENTITY_HELPERS = ['Practitioner', 'PractitionerRole', 'Patient', 'RelatedPerson'];

interface Mapping {
  /** Resource types that give rows, and those only read to resolve references. */
  types: readonly string[];
  helpers: readonly string[];
  /** For "resourceType X is not …". */
  expected: string;
  map(st: StagingArea, opts: FhirImportOptions): Promise<void>;
}

const MAPPINGS: Partial<Record<ImportTable, Mapping>> = {
  events: {
    types: ['AuditEvent'],
    helpers: IDENTITY_HELPERS,
    expected: 'an AuditEvent',
    map: (st, o) => mapAuditEvents(st, o.actionMap),
  },
  clinicians: {
    types: ['Practitioner', 'PractitionerRole'],
    helpers: IDENTITY_HELPERS,
    expected: 'a Practitioner or PractitionerRole',
    map: (st) => mapRoster(st),
  },
  schedule: {
    types: ['Schedule', 'Slot', 'Appointment'],
    helpers: IDENTITY_HELPERS,
    expected: 'a Schedule, Slot or Appointment',
    map: (st) => mapSchedule(st),
  },
  orders: {
    types: ['MedicationRequest', 'ServiceRequest'],
    // A Provenance with an `enterer` agent names who entered an order (R4 ServiceRequest has no recorder).
    helpers: ['Provenance', ...IDENTITY_HELPERS],
    expected: 'a MedicationRequest or ServiceRequest',
    map: (st) => mapOrders(st),
  },
  // The patient side (engagement.md §1; `patientSide.ts`).
  patient_events: {
    types: ['AuditEvent'],
    helpers: IDENTITY_HELPERS,
    expected: 'an AuditEvent',
    map: (st) => mapPatientEvents(st),
  },
  messages: {
    types: ['Communication'],
    helpers: IDENTITY_HELPERS,
    expected: 'a Communication',
    map: (st) => mapMessages(st),
  },
  releases: {
    types: ['DiagnosticReport', 'DocumentReference'],
    helpers: IDENTITY_HELPERS,
    expected: 'a DiagnosticReport or DocumentReference',
    map: (st) => mapReleases(st),
  },
};

/** Import FHIR files (one or several, read together) into one canonical table of `store`. */
export async function importFhir(store: Store, opts: FhirImportOptions): Promise<ImportReport> {
  const t0 = Date.now();
  const { files, ...rest } = opts;
  if (!files.length) throw invalid('no FHIR file given');
  const mapping = MAPPINGS[opts.table];
  if (!mapping) {
    throw invalid(
      `FHIR files fill ${Object.keys(MAPPINGS).join(', ')}, not ${opts.table}; import ${opts.table} as CSV`,
    );
  }
  const keySystem = opts.identifierSystem ?? NPI_SYSTEM;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S{1,500}$/.test(keySystem))
    throw invalid(
      `--identifier-system ${keySystem} is not an identifier system URI such as ${NPI_SYSTEM}`,
    );
  const defaultRole = opts.defaultRole?.trim();
  if (opts.defaultRole !== undefined && (!defaultRole || defaultRole.length > 200))
    throw invalid('--default-role must name a role, e.g. --default-role Physician');
  if (defaultRole && opts.table !== 'clinicians')
    throw invalid(
      `--default-role gives a role to practitioners of the roster (clinicians), not to ${opts.table}`,
    );
  const st = await store.staging();
  const views = [T.good, T.val, F.rec];
  const tables = [
    ...Object.values(F).filter((t) => t !== F.rec),
    ...Object.values(T).filter((t) => t !== T.good && t !== T.val),
    ...files.map((_, i) => linesTable(i)),
    ...IDENTITY_TABLES,
    ...AUDIT_EVENT_TABLES,
    ...ORDER_TABLES,
    ...SCHEDULE_TABLES,
    ...PATIENT_SIDE_TABLES,
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
    await refuseWithoutTableTypes(st, mapping, opts.table);

    // 2. Resolve who references name (`identities.ts`), then map the resources of the table's
    //    types. Records that are not resources are rejected rows; resources of other types are
    //    counted per type (some were read to resolve references), never rows nor copied.
    await prepareIdentities(store, st, { keySystem, defaultRole });
    const cols = [...CSV_COLUMNS[opts.table].required, ...CSV_COLUMNS[opts.table].optional];
    await st.run(
      `CREATE TEMP TABLE ${F.map} (rec_id BIGINT, ${cols.map((c) => `"${c}" VARCHAR`).join(', ')},
         fhir_reason VARCHAR, skip VARCHAR, hint VARCHAR, note VARCHAR)`,
    );
    await mapping.map(st, opts);
    const types = mapping.types.map(quoteLiteral).join(', ');
    await st.run(
      `INSERT INTO ${F.map} (rec_id, fhir_reason, skip)
       SELECT rec_id, base_reason, CASE WHEN base_reason IS NULL THEN
           CASE WHEN smode IN ('include', 'outcome') THEN 'search_entries_' || smode || '_skipped'
             ELSE ${quoteLiteral(SKIPPED_TYPE_NOTE)} || rtype END END
       FROM ${F.rec} WHERE base_reason IS NOT NULL OR rtype NOT IN (${types})`,
    );
    if (opts.table === 'clinicians') await stageIdentitiesToStore(st);
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
    const kept: string[] = [F.src, F.names, I.storeIds];
    for (const t of tables.filter((t) => !kept.includes(t)))
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
      tempTables: kept,
      notes,
      ...(opts.table === 'events' ? { actionNames: F.names } : {}),
      ...(opts.table === 'clinicians'
        ? { afterStore: (tx, importId) => storeIdentities(store, tx, importId) }
        : {}),
    });
    return report;
  } catch (e) {
    await drop().catch(() => undefined);
    throw e;
  }
}

/**
 * Refuse, before anything is stored, files that hold resources but none of the table's types
 * (e.g. Patient.ndjson given as orders): nothing could be imported, and saying so beats a report
 * of nothing. Records that are not resources at all are rows to reject, so they pass.
 */
async function refuseWithoutTableTypes(
  st: StagingArea,
  mapping: Mapping,
  table: ImportTable,
): Promise<void> {
  const found = await st.all<{ rtype: string | null; n: number; ours: boolean }>(
    `SELECT CASE WHEN base_reason IS NULL THEN rtype END AS rtype, count(*) AS n,
       bool_or(base_reason IS NOT NULL OR rtype IN (${mapping.types.map(quoteLiteral).join(', ')})) AS ours
     FROM ${F.rec} GROUP BY 1 ORDER BY n DESC, 1`,
  );
  if (!found.length || found.some((f) => f.ours)) return;
  const held = found.map((f) => `${f.rtype} ${f.n}`).join(', ');
  throw invalid(
    `none of the files holds ${mapping.expected} (they hold ${held}), so nothing is for ${table}; nothing was imported`,
  );
}

/** The report's notes: resources read, those that are not rows (by why, or by type), and counts the mappings noted. */
async function countNotes(st: StagingArea): Promise<Record<string, number>> {
  const [all] = await st.all<{ n: number }>(`SELECT count(*) AS n FROM ${F.rec}`);
  const counted = await st.all<{ k: string; n: number }>(
    `SELECT k, count(DISTINCT rec_id) AS n FROM (
       SELECT rec_id, skip AS k FROM ${F.map} WHERE skip IS NOT NULL
       UNION ALL SELECT rec_id, note FROM ${F.map} WHERE note IS NOT NULL AND skip IS NULL)
     GROUP BY k ORDER BY k`,
  );
  return Object.fromEntries([
    ['resources_read', all?.n ?? 0],
    ...counted.map((s) => [s.k, s.n] as const),
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
