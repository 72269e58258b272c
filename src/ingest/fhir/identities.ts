/**
 * Who a FHIR reference names, the FHIR way, in SQL over the staged resources (no JavaScript per
 * resource or per reference).
 *
 * A reference may be literal (relative `Practitioner/p1` or absolute
 * `https://x/fhir/Practitioner/p1`), to a Bundle entry by its `fullUrl` (`urn:uuid:…`), to a
 * contained resource (`#p1`), conditional (`Practitioner?identifier=system|value`, `?_id=`), or
 * logical (`identifier` only). Each distinct reference of an import is resolved once, by joins:
 *
 * - **Patients.** A reference is a patient's when any of its forms says so: its type (written, or
 *   that of the entry or contained resource it names) is Patient or RelatedPerson, its identifier
 *   has a patient type (`PATIENT_IDENTIFIER_TYPES`: MR, PI, SS, …), or its identifier (or the one
 *   its conditional form searches by) is that of a Patient or RelatedPerson among the files. A
 *   patient is never a user: mappings reject the row where a clinician is required and drop an
 *   optional clinician field; in a patient field its key (`pid`) is pseudonymized as usual.
 * - **Clinicians.** A practitioner's identities (`../../model/clinicianIdentifiers.ts`) — its
 *   resource id under system `Practitioner`, its business identifiers, the ids of its
 *   PractitionerRoles — name its roster key (`uid`): the identities stored by earlier roster
 *   imports (`clinician_identifiers`), overridden by those of the Practitioner and PractitionerRole
 *   resources among the files. A reference that names none of them keeps the rule of formats.md
 *   §3: identifier value, else the reference (relative `Type/id`, or the value a conditional
 *   reference searches by). A `urn:uuid:` or `#` reference to nothing in its file resolves to
 *   nothing (`dangling`): it could be anyone's, so it is never stored.
 */
import { join } from 'node:path';
import type { Sql, StagingArea, Store } from '../../store/Store.ts';
import { makeTempDir, removeTempDir } from '../../store/tempFiles.ts';
import { F } from './read.ts';
import {
  CONCEPT,
  IDENTIFIER,
  LITERAL,
  patientIdentifierType,
  REFERENCE,
  refKey,
  transform,
  typeField,
} from './sql.ts';

/** Staging tables of reference resolution. */
export const I = {
  /** One row: `key_system` (the roster key's identifier system) and `default_role`. */
  opts: 'imp_fhir_opts',
  /** The store's `clinician_identifiers` (system, value, user_id). */
  stored: 'imp_fhir_stored',
  contained: 'imp_fhir_contained',
  /** Practitioners, Patients and RelatedPersons of the files, top-level or contained, with their keys. */
  person: 'imp_fhir_person',
  /** What `fullUrl` and `#id` references point at: (scope, ref) → resource. */
  target: 'imp_fhir_target',
  /** Identity rows (system, value, user_id, ord) before choosing one clinician per identity. */
  idRows: 'imp_fhir_idrows',
  /** One clinician per (system, value), and per value alone when it is unambiguous. */
  idx: 'imp_fhir_idx',
  idv: 'imp_fhir_idv',
  /** Identifiers of the patients (and related persons) among the files. */
  pidx: 'imp_fhir_pidx',
  pidv: 'imp_fhir_pidv',
  /** PractitionerRole resources of the files, and their resolved `practitioner` references. */
  role: 'imp_fhir_role',
  roleRefs: 'imp_fhir_role_refs',
  /** The references a mapping reads, resolved. */
  refs: 'imp_fhir_refs',
  /** The identities a roster import stores. */
  storeIds: 'imp_fhir_store_ids',
} as const;

/** The parts of a PractitionerRole the roster and the schedule read. */
export const PRACTITIONER_ROLE = {
  id: 'VARCHAR',
  active: 'BOOLEAN',
  period: { start: 'VARCHAR', end: 'VARCHAR' },
  practitioner: REFERENCE,
  organization: REFERENCE,
  location: [REFERENCE],
  code: [CONCEPT],
  specialty: [CONCEPT],
};

const PERSON = { id: 'VARCHAR', identifier: [IDENTIFIER] };
const CONTAINED = [{ resourceType: 'VARCHAR', id: 'VARCHAR', identifier: [IDENTIFIER] }];

/** SQL: an identifier struct `i` usable as an identity (a value, not old, not a patient-type id). */
const usable = (i: string) =>
  `nullif(${i}.value, '') IS NOT NULL AND coalesce(${i}.use, '') <> 'old' AND NOT ${patientIdentifierType(i)}`;

/**
 * Everything references are resolved against, built once per import: options, the stored
 * identities, contained resources, persons, Bundle targets, the clinician and patient indexes
 * and the PractitionerRoles (which are identities too, so they are resolved first).
 */
export async function prepareIdentities(
  store: Store,
  st: StagingArea,
  o: { keySystem: string; defaultRole: string | undefined },
): Promise<void> {
  await st.run(
    `CREATE TEMP TABLE ${I.opts} AS SELECT CAST($1 AS VARCHAR) AS key_system, CAST($2 AS VARCHAR) AS default_role`,
    [o.keySystem, o.defaultRole ?? null],
  );
  await loadStored(store, st);
  const live = `${F.rec} WHERE base_reason IS NULL`;
  // Contained resources, read only from records that have any (a cheap text test first).
  await st.run(
    `CREATE TEMP TABLE ${I.contained} AS
     SELECT rec_id, c.resourceType AS rtype, c.id AS cid, c.identifier AS ident FROM (
       SELECT rec_id, unnest(${transform(`json_extract(coalesce(res, raw), '$.contained')`, CONTAINED)}) AS c
       FROM ${live} AND contains(coalesce(res, raw), '"contained"'))
     WHERE nullif(c.id, '') IS NOT NULL AND c.resourceType IS NOT NULL
     QUALIFY row_number() OVER (PARTITION BY rec_id, cid) = 1`,
  );
  // Persons and their keys. A Practitioner's: its identifier of the key system; else the
  // clinician its id or one of its identifiers names in the store (so a resource without the
  // key identifier keeps the key an earlier roster import gave it); else Practitioner/<id>;
  // else its first identifier (`practitionerKey` of the model, with the store consulted).
  await st.run(
    `CREATE TEMP TABLE ${I.person} AS
     WITH x AS (
       SELECT 'r' || rec_id AS pk, rec_id, rtype, nullif(p.id, '') AS rid, false AS local, p.identifier AS ident
       FROM (SELECT rec_id, rtype, ${transform('coalesce(res, raw)', PERSON)} AS p
             FROM ${live} AND rtype IN ('Practitioner', 'Patient', 'RelatedPerson'))
       UNION ALL
       SELECT 'c' || rec_id || '#' || cid, rec_id, rtype, cid, true, ident
       FROM ${I.contained} WHERE rtype IN ('Practitioner', 'Patient', 'RelatedPerson')),
     si AS (
       SELECT y.pk, arg_min(s.user_id, y.n) AS user_id
       FROM (SELECT pk, unnest(ident) AS i, generate_subscripts(ident, 1) AS n FROM x WHERE rtype = 'Practitioner') y
       JOIN ${I.stored} s ON s.system = y.i.system AND s.value = y.i.value
       WHERE ${usable('y.i')} GROUP BY y.pk)
     SELECT x.*, CASE WHEN x.rtype = 'Practitioner' THEN coalesce(
         list_filter(x.ident, lambda i: i.system = o.key_system AND ${usable('i')})[1].value,
         s1.user_id, si.user_id,
         CASE WHEN NOT x.local AND x.rid IS NOT NULL THEN 'Practitioner/' || x.rid END,
         list_filter(x.ident, lambda i: ${usable('i')})[1].value) END AS uid
     FROM x LEFT JOIN ${I.stored} s1 ON NOT x.local AND s1.system = 'Practitioner' AND s1.value = x.rid
     LEFT JOIN si ON si.pk = x.pk, ${I.opts} o`,
  );
  await st.run(
    `CREATE TEMP TABLE ${I.target} AS
     SELECT * FROM (
       SELECT 'f' || file_no AS scope, full_url AS ref, 'r' || rec_id AS pk, rtype,
         nullif(json_extract_string(res, '$.id'), '') AS rid, false AS local
       FROM ${live} AND full_url IS NOT NULL
       UNION ALL
       SELECT 'r' || rec_id, '#' || cid, 'c' || rec_id || '#' || cid, rtype, cid, true FROM ${I.contained})
     QUALIFY row_number() OVER (PARTITION BY scope, ref ORDER BY pk) = 1`,
  );
  // Clinician identities: stored ones (ord 0) lose to those of the files (the later the stronger).
  await st.run(
    `CREATE TEMP TABLE ${I.idRows} AS
     SELECT system, value, user_id, CAST(0 AS BIGINT) AS ord FROM ${I.stored}
     UNION ALL
     SELECT 'Practitioner', rid, uid, 2000000000000000 + rec_id FROM ${I.person}
     WHERE rtype = 'Practitioner' AND NOT local AND rid IS NOT NULL AND uid IS NOT NULL
     UNION ALL
     SELECT i.system, i.value, uid, 2000000000000000 + rec_id FROM (
       SELECT rec_id, uid, unnest(ident) AS i FROM ${I.person}
       WHERE rtype = 'Practitioner' AND NOT local AND uid IS NOT NULL)
     WHERE nullif(i.system, '') IS NOT NULL AND ${usable('i')}`,
  );
  await indexIdentities(st);
  // Patients' identifiers (a reference by one of them is a patient's).
  const patientIds = `SELECT rtype, rid, local, unnest(ident) AS i FROM ${I.person} WHERE rtype IN ('Patient', 'RelatedPerson')`;
  const pref = `min(CASE WHEN rtype = 'Patient' AND NOT local AND rid IS NOT NULL THEN 'Patient/' || rid END)`;
  await st.run(
    `CREATE TEMP TABLE ${I.pidx} AS SELECT i.system AS system, i.value AS value, ${pref} AS pref
     FROM (${patientIds}) WHERE nullif(i.system, '') IS NOT NULL AND nullif(i.value, '') IS NOT NULL GROUP BY 1, 2`,
  );
  await st.run(
    `CREATE TEMP TABLE ${I.pidv} AS SELECT i.value AS value, ${pref} AS pref
     FROM (${patientIds}) WHERE nullif(i.value, '') IS NOT NULL GROUP BY 1`,
  );
  // PractitionerRoles: their practitioner resolved, then their own ids are identities too.
  await st.run(
    `CREATE TEMP TABLE ${I.role} AS
     SELECT rec_id, file_no, pos, ${transform('coalesce(res, raw)', PRACTITIONER_ROLE)} AS s
     FROM ${live} AND rtype = 'PractitionerRole'`,
  );
  await resolveRefs(st, `SELECT file_no, rec_id, s.practitioner AS r FROM ${I.role}`, I.roleRefs);
  await st.run(
    `INSERT INTO ${I.idRows}
     SELECT 'PractitionerRole', ro.s.id, x.uid, 1000000000000000 + ro.rec_id
     FROM ${I.role} ro JOIN ${I.roleRefs} x ON x.k = ${refKey('ro.s.practitioner', 'ro.file_no', 'ro.rec_id')}
     WHERE nullif(ro.s.id, '') IS NOT NULL AND x.uid IS NOT NULL`,
  );
  await indexIdentities(st);
}

/** (Re)build the clinician indexes from the identity rows: one clinician per identity. */
async function indexIdentities(st: StagingArea): Promise<void> {
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${I.idx} AS
     SELECT system, value, arg_max(user_id, ord) AS user_id FROM ${I.idRows} GROUP BY system, value`,
  );
  // A value without a system (`identifier=123`, `{"identifier": {"value": "123"}}`) names a
  // clinician only when no two clinicians have it.
  await st.run(
    `CREATE OR REPLACE TEMP TABLE ${I.idv} AS
     SELECT value, any_value(user_id) AS user_id FROM ${I.idx}
     WHERE system NOT IN ('Practitioner', 'PractitionerRole')
     GROUP BY value HAVING count(DISTINCT user_id) = 1`,
  );
}

/** Copy the store's clinician identities into the staging area (by the store's own writer). */
async function loadStored(store: Store, st: StagingArea): Promise<void> {
  const dir = await makeTempDir('ids');
  try {
    const file = join(dir, 'ids.parquet');
    const cols = ['system', 'value', 'user_id'].map((name) => ({ name, type: 'VARCHAR' as const }));
    await store.exportQuery(
      `SELECT system, value, user_id FROM clinician_identifiers`,
      cols,
      file,
      'parquet',
    );
    await st.run(
      `CREATE TEMP TABLE ${I.stored} AS
       SELECT CAST(system AS VARCHAR) AS system, CAST(value AS VARCHAR) AS value, CAST(user_id AS VARCHAR) AS user_id
       FROM read_parquet($1)`,
      [file],
    );
  } finally {
    await removeTempDir(dir);
  }
}

/**
 * Resolve every distinct reference of `input` (SQL with columns `file_no`, `rec_id` and `r`, a
 * Reference struct of `REFERENCE`'s shape) into table `out`, one row per `refKey`:
 *
 * - `is_patient`, `ty` (Patient, RelatedPerson, or the type named or resolved, when known;
 *   Practitioner when only an identity of the roster says so), `ty0` (the type as written or as
 *   its entry or contained resource has it);
 * - `uid`: the clinician (roster key) it names, NULL for a patient or when nothing is named;
 * - `pid`: what a patient field stores for it (pseudonymized later): `Patient/<id>` when known,
 *   else the identifier value, else the reference;
 * - `norm`: the relative `Type/id` it resolves to, when it does; `tpk`: the Bundle entry or
 *   contained resource it points at;
 * - `dangling`: a `urn:`/`#` reference to nothing among the files;
 * - its parsed forms (`lt`/`lid` literal, `ct`/`cid`/`csys`/`cval` conditional, `sys`/`val`
 *   logical identifier), from which a roster import stores identities.
 */
export async function resolveRefs(st: StagingArea, input: string, out: string): Promise<void> {
  const dec = (x: string) => `coalesce(try(url_decode(${x})), ${x})`;
  const param = (name: string) =>
    dec(`nullif(regexp_extract(ref, '\\?(?:.*&)?${name}=([^&]*)', 1), '')`);
  await st.run(`DROP TABLE IF EXISTS ${out}`);
  await st.run(
    `CREATE TEMP TABLE ${out} AS
     WITH d AS (
       SELECT k, any_value(scope) AS scope, any_value(r) AS r FROM (
         SELECT ${refKey('r', 'file_no', 'rec_id')} AS k,
           CASE WHEN starts_with(r.reference, '#') THEN 'r' || rec_id ELSE 'f' || file_no END AS scope, r
         FROM (${input}) WHERE r IS NOT NULL)
       GROUP BY k),
     p0 AS (
       SELECT k, scope, nullif(trim(r.reference), '') AS ref,
         ${typeField('r')} AS tf,
         nullif(r.identifier.system, '') AS sys, nullif(r.identifier.value, '') AS val,
         ${patientIdentifierType('r.identifier')} AS pt
       FROM d),
     p AS (
       SELECT p0.*,
         CASE WHEN NOT contains(ref, '?') THEN nullif(regexp_extract(ref, '${LITERAL}', 1), '') END AS lt,
         CASE WHEN NOT contains(ref, '?') THEN nullif(regexp_extract(ref, '${LITERAL}', 2), '') END AS lid,
         nullif(regexp_extract(ref, '^(?:[^?#]*/)?([A-Z][A-Za-z]+)\\?', 1), '') AS ct,
         ${param('identifier')} AS cidf, ${param('_id')} AS cid
       FROM p0),
     q AS (
       SELECT p.*, t.rtype AS tt, t.rid AS trid, coalesce(t.local, false) AS tlocal, t.pk AS tpk,
         pe.ident AS tident, pe.uid AS tuid
       FROM p LEFT JOIN ${I.target} t ON t.scope = p.scope AND t.ref = p.ref
       LEFT JOIN ${I.person} pe ON pe.pk = t.pk),
     c AS (
       SELECT q.*, coalesce(tt, lt, ct, tf) AS ty0,
         CASE WHEN contains(cidf, '|') THEN nullif(split_part(cidf, '|', 1), '') END AS csys,
         nullif(CASE WHEN contains(cidf, '|') THEN substr(cidf, strpos(cidf, '|') + 1) ELSE cidf END, '') AS cval
       FROM q),
     cand AS (
       SELECT k, 1 AS pr, lt AS system, lid AS value FROM c WHERE lt IN ('Practitioner', 'PractitionerRole')
       UNION ALL SELECT k, 2, ct, cid FROM c WHERE ct IN ('Practitioner', 'PractitionerRole') AND cid IS NOT NULL
       UNION ALL SELECT k, 3, csys, cval FROM c WHERE ct = 'Practitioner' AND cval IS NOT NULL
       UNION ALL SELECT k, 4, tt, trid FROM c WHERE tt IN ('Practitioner', 'PractitionerRole') AND NOT tlocal AND trid IS NOT NULL
       UNION ALL SELECT k, 5, nullif(i.system, ''), i.value FROM (
         SELECT k, unnest(tident) AS i FROM c WHERE tt = 'Practitioner') WHERE ${usable('i')}
       UNION ALL SELECT k, 6, sys, val FROM c
         WHERE val IS NOT NULL AND coalesce(ty0, 'Practitioner') IN ('Practitioner', 'PractitionerRole')),
     found AS (
       SELECT k, arg_min(user_id, pr) AS user_id FROM (
         SELECT cand.k, cand.pr, i.user_id FROM cand JOIN ${I.idx} i ON i.system = cand.system AND i.value = cand.value
         UNION ALL
         SELECT cand.k, cand.pr, v.user_id FROM cand JOIN ${I.idv} v ON cand.system IS NULL AND v.value = cand.value)
       GROUP BY k),
     pm AS (
       SELECT k, min(pref) AS pref FROM (
         SELECT c.k, x.pref FROM c JOIN ${I.pidx} x ON x.system = c.sys AND x.value = c.val
         UNION ALL SELECT c.k, v.pref FROM c JOIN ${I.pidv} v ON c.sys IS NULL AND v.value = c.val
         UNION ALL SELECT c.k, x.pref FROM c JOIN ${I.pidx} x ON x.system = c.csys AND x.value = c.cval
         UNION ALL SELECT c.k, v.pref FROM c JOIN ${I.pidv} v ON c.csys IS NULL AND v.value = c.cval
         UNION ALL SELECT k, NULL FROM (SELECT k, unnest(tident) AS i FROM c) WHERE ${patientIdentifierType('i')})
       GROUP BY k),
     fin AS (
       SELECT c.*, f.user_id AS found_uid, pm.pref AS ppref,
         (coalesce(c.ty0 IN ('Patient', 'RelatedPerson'), false) OR c.pt OR pm.k IS NOT NULL) AS is_patient
       FROM c LEFT JOIN found f ON f.k = c.k LEFT JOIN pm ON pm.k = c.k)
     SELECT k, is_patient, ty0,
       CASE WHEN is_patient THEN CASE WHEN ty0 = 'RelatedPerson' THEN 'RelatedPerson' ELSE 'Patient' END
         ELSE coalesce(ty0, CASE WHEN found_uid IS NOT NULL THEN 'Practitioner' END) END AS ty,
       CASE WHEN NOT is_patient THEN coalesce(found_uid,
         CASE WHEN tt = 'Practitioner' THEN tuid END,
         val,
         CASE WHEN ct IS NOT NULL THEN coalesce(cval, ct || '/' || cid) END,
         CASE WHEN lt IS NOT NULL THEN lt || '/' || lid END,
         CASE WHEN tt IS NOT NULL AND NOT tlocal AND trid IS NOT NULL THEN tt || '/' || trid END,
         CASE WHEN NOT regexp_matches(ref, '^(urn:|#)|[?]') THEN ref END) END AS uid,
       CASE WHEN tt IS NOT NULL THEN coalesce(
           CASE WHEN NOT tlocal AND trid IS NOT NULL THEN tt || '/' || trid END,
           list_filter(tident, lambda i: nullif(i.value, '') IS NOT NULL)[1].value,
           CASE WHEN NOT tlocal THEN ref END)
         WHEN lt IS NOT NULL THEN lt || '/' || lid
         WHEN ct IS NOT NULL THEN coalesce(ct || '/' || cid, ppref, cval)
         ELSE coalesce(CASE WHEN NOT starts_with(ref, '#') THEN ref END, ppref, val) END AS pid,
       CASE WHEN lt IS NOT NULL THEN lt || '/' || lid
         WHEN tt IS NOT NULL AND NOT tlocal AND trid IS NOT NULL THEN tt || '/' || trid
         WHEN ct IS NOT NULL AND cid IS NOT NULL THEN ct || '/' || cid END AS norm,
       tpk, coalesce(tt IS NULL AND regexp_matches(ref, '^(urn:|#)'), false) AS dangling,
       lt, lid, ct, cid, csys, cval, sys, val
     FROM fin`,
  );
}

/**
 * The identities a roster import stores (`imp_fhir_store_ids`): those of its Practitioners (id
 * and kept identifiers) and PractitionerRoles (id), and the forms by which its roles name their
 * practitioner (a literal or conditional reference, an identifier with a system) — one clinician
 * per identity, a Practitioner's own identities first, then the latest in the files.
 */
export async function stageIdentitiesToStore(st: StagingArea): Promise<void> {
  const fromRefs = (system: string, value: string, where: string) =>
    `SELECT ${system}, ${value}, x.uid, 500000000000000 + ro.rec_id FROM ${I.role} ro
     JOIN ${I.roleRefs} x ON x.k = ${refKey('ro.s.practitioner', 'ro.file_no', 'ro.rec_id')}
     WHERE x.uid IS NOT NULL AND ${where}`;
  await st.run(
    `CREATE TEMP TABLE ${I.storeIds} AS
     SELECT system, value, arg_max(user_id, ord) AS user_id FROM (
       SELECT * FROM ${I.idRows} WHERE ord > 0
       UNION ALL ${fromRefs(`'Practitioner'`, 'x.lid', `x.lt = 'Practitioner'`)}
       UNION ALL ${fromRefs(`'Practitioner'`, 'x.cid', `x.ct = 'Practitioner' AND x.cid IS NOT NULL`)}
       UNION ALL ${fromRefs('x.csys', 'x.cval', `x.ct = 'Practitioner' AND x.csys IS NOT NULL AND x.cval IS NOT NULL`)}
       UNION ALL ${fromRefs('x.sys', 'x.val', `x.sys IS NOT NULL AND x.val IS NOT NULL AND coalesce(x.ty, 'Practitioner') = 'Practitioner'`)})
     WHERE nullif(system, '') IS NOT NULL AND nullif(value, '') IS NOT NULL
     GROUP BY system, value`,
  );
}

/**
 * Store the staged identities (inside the roster import's transaction, after its rows): each names
 * a clinician of the roster; an identity that named another clinician is moved, one that is
 * already there is left as it is (with the import that stored it).
 */
export async function storeIdentities(store: Store, tx: Sql, importId: number): Promise<void> {
  const cols = ['system', 'value', 'user_id'].map((name) => ({ name, type: 'VARCHAR' as const }));
  const up = await store.upload(tx, I.storeIds, cols);
  const ours = `(SELECT s.system, s.value, s.user_id FROM ${up} s
    WHERE EXISTS (SELECT 1 FROM clinicians c WHERE c.user_id = s.user_id))`;
  await tx.run(
    `DELETE FROM clinician_identifiers t WHERE EXISTS (
       SELECT 1 FROM ${ours} s WHERE s.system = t.system AND s.value = t.value AND s.user_id <> t.user_id)`,
  );
  await tx.run(
    `INSERT INTO clinician_identifiers (system, value, user_id, import_id)
     SELECT s.system, s.value, s.user_id, $1 FROM ${ours} s
     WHERE NOT EXISTS (SELECT 1 FROM clinician_identifiers t WHERE t.system = s.system AND t.value = s.value)`,
    [importId],
  );
}

/** Every staging table of reference resolution (dropped at the end of an import). */
export const IDENTITY_TABLES: readonly string[] = Object.values(I);
