/**
 * AuditEvent → `events` (`docs/formats.md`), plain R4 and IHE BALP alike: one
 * `json_transform` per resource, then list functions pick the agent and the entities.
 *
 * - `event_id`: `id`, else a SHA-256 of the resource's (minified) JSON.
 * - `occurred_at`: `recorded`, else `period.start`.
 * - `user_id`: the agent with `requestor = true`, else the first agent: its `who` resolved the
 *   FHIR way (`identities.ts`) to the roster key of the practitioner it names (by resource id,
 *   identifier, `fullUrl`, contained or conditional reference), else `who.identifier.value`, else
 *   `who.reference` (relative form). An agent that is a patient (Patient or RelatedPerson, in any
 *   form) is rejected: Uptake measures clinicians' work and never stores a patient identifier as
 *   a user; so is one that is a `urn:uuid:` or `#` reference to nothing in its file.
 * - `action`: `subtype[0].code`, else `type.code`, joined with `action` (C/R/U/D/E) as `code:action`.
 * - `patient_id`: the entity whose `what` is a patient's (any form of `identities.ts`, or whose
 *   role is object-role 1, Patient: BALP's patient slice, or an identifier-only patient), else
 *   R5's `patient`.
 * - `encounter_id`: the entity whose `what` references an Encounter.
 * - `workstation_id`: the chosen agent's `network.address`.
 * - `category`: the FHIR action maps (see `README.md`: keys `<ResourceType>:<C|R|U|D|E>`,
 *   `<ResourceType>`, `<code>:<action>`; the user's map first, then the shipped one).
 */
import { fileURLToPath } from 'node:url';
import type { StagingArea } from '../../store/Store.ts';
import { loadActionMap } from '../actionMap.ts';
import { F } from './read.ts';
import { I, resolveRefs } from './identities.ts';
import {
  contentHash,
  dateTime,
  literalType,
  normRef,
  REFERENCE,
  refKey,
  toResolve,
  transform,
  typeField,
} from './sql.ts';

/** The FHIR action map shipped with Uptake (from the package root: see `EPIC_ACTION_MAP`). */
export const FHIR_ACTION_MAP = fileURLToPath(
  new URL('../../../src/ingest/maps/fhir-actions.csv', import.meta.url),
);

const CODING = { system: 'VARCHAR', code: 'VARCHAR', display: 'VARCHAR' } as const;

/** The parts of an AuditEvent the mapping reads (R4, plus R5's `patient` when present). */
export const AUDIT_EVENT = {
  id: 'VARCHAR',
  recorded: 'VARCHAR',
  period: { start: 'VARCHAR' },
  action: 'VARCHAR',
  type: CODING,
  subtype: [CODING],
  agent: [
    {
      requestor: 'BOOLEAN',
      who: REFERENCE,
      network: { address: 'VARCHAR' },
      extension: [{ url: 'VARCHAR', valueCode: 'VARCHAR' }],
    },
  ],
  entity: [{ what: REFERENCE, type: CODING, role: CODING, query: 'VARCHAR' }],
  patient: REFERENCE,
};

/**
 * SQL: the resource type of a (base64) query — a FHIR search URL such as
 * `http://x/fhir/Encounter?participant=13` or `GET Observation?patient=1` — else NULL.
 */
function queryType(q: string): string {
  return `nullif(regexp_extract(try(decode(from_base64(${q}))),
    '^\\s*(?:(?:GET|POST)\\s+)?(?:[^\\s?]*/)?([A-Z][A-Za-z]+)(?:/_search)?(?:\\?|\\s|$)', 1), '')`;
}

/**
 * SQL: the resource type entity `e` is about: `whatType` (the type of its `what` reference), else
 * an entity type from the resource-types code system, else the type its query searches, else
 * Patient when its role is object-role 1 (Patient).
 */
export function entityType(e: string, whatType: string): string {
  return `coalesce(${whatType},
    CASE WHEN ${e}.type.system = 'http://hl7.org/fhir/resource-types' THEN nullif(${e}.type.code, '') END,
    ${queryType(`${e}.query`)},
    CASE WHEN ${e}.role.code = '1' AND (${e}.role.system IS NULL OR ${e}.role.system LIKE '%/object-role') THEN 'Patient' END)`;
}

/** The extension (valueCode desktop, mobile, web or api) that names an agent's channel. */
export const CHANNEL_EXTENSION = 'http://uptake.example.org/fhir/StructureDefinition/channel';

/**
 * SQL: the channel of an AuditEvent's agent, which §3 does not map: the agent's channel extension
 * when it names one of the canonical channels; else mobile when its network address is HAIKU or
 * CANTO (Epic's phone and tablet apps, the rule of §2); else NULL (desktop).
 */
function channelOf(ag: string): string {
  return `coalesce(
    list_filter(${ag}.extension, lambda x: x.url = '${CHANNEL_EXTENSION}' AND x.valueCode IN ('desktop', 'mobile', 'web', 'api'))[1].valueCode,
    CASE WHEN regexp_matches(upper(coalesce(${ag}.network.address, '')), '^(HAIKU|CANTO)([^A-Z0-9]|$)') THEN 'mobile' END)`;
}

/** Load the shipped FHIR map and the user's map (or an empty one) as `imp_fhir_smap`, `imp_fhir_umap`. */
async function loadMaps(st: StagingArea, userMap: string | undefined): Promise<void> {
  for (const [file, table] of [
    [FHIR_ACTION_MAP, F.smap],
    [userMap, F.umap],
  ] as const) {
    if (!file) {
      await st.run(`CREATE TEMP TABLE ${table} (action VARCHAR, category VARCHAR)`);
      continue;
    }
    const t = await loadActionMap(st, file);
    await st.run(`CREATE TEMP TABLE ${table} AS SELECT action, category FROM ${t}`);
  }
}

/** The parts of an AuditEvent read to collect its references. */
const AUDIT_EVENT_REFS = {
  agent: [{ requestor: 'BOOLEAN', who: REFERENCE }],
  entity: [{ what: REFERENCE }],
  patient: REFERENCE,
};

/** Staging tables: each AuditEvent's references, and the entities of those with any to resolve. */
const AE_REFS = 'imp_fhir_ae_refs';
const AE_ENT = 'imp_fhir_ae_ent';
export const AUDIT_EVENT_TABLES = [AE_REFS, AE_ENT];

/** SQL: the position (from 1) of the requestor agent of AuditEvent struct `s`, else 1. */
export const requestor = (s: string) =>
  `coalesce(list_position(list_transform(${s}.agent, lambda g: coalesce(g.requestor, false)), true), 1)`;

/**
 * Insert the rows of every AuditEvent into `imp_fhir_map`, with their categories, and build
 * `imp_fhir_names`: for each action whose events found no category, the resource keys a map entry
 * could use (shown in the report's list of unmapped actions).
 *
 * Two passes: the first reads only the references (the user agent's `who`, R5's `patient`, and
 * the entities of the events that have an entity to resolve, `toResolve`: the others are literal
 * references whose text says what they are) and resolves them (`identities.ts`); the second maps
 * every event, joining its user's resolution, without materializing the events.
 */
export async function mapAuditEvents(st: StagingArea, userMap: string | undefined): Promise<void> {
  await loadMaps(st, userMap);
  const lookup = (alias: string, table: string, key: string) =>
    `LEFT JOIN ${table} ${alias} ON ${alias}.action = ${key}`;
  const keyRtA = `d.rt || ':' || nullif(d.s.action, '')`;
  const events = (structure: object) =>
    `SELECT rec_id, file_no, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', structure)} AS s
     FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'AuditEvent'`;
  await st.run(
    `CREATE TEMP TABLE ${AE_REFS} AS
     SELECT rec_id, file_no, s.agent[${requestor('s')}].who AS who, s.patient AS patient,
       CASE WHEN len(list_filter(s.entity, lambda e: ${toResolve('e.what')})) > 0
         THEN ${transform(`json_extract(txt, '$.entity')`, AUDIT_EVENT.entity)} END AS slow
     FROM (${events(AUDIT_EVENT_REFS)})`,
  );
  await st.run(
    `CREATE TEMP TABLE ${AE_ENT} AS
     SELECT rec_id, file_no, unnest(slow) AS e, generate_subscripts(slow, 1) AS i
     FROM ${AE_REFS} WHERE slow IS NOT NULL`,
  );
  await resolveRefs(
    st,
    `SELECT file_no, rec_id, who AS r FROM ${AE_REFS}
     UNION ALL SELECT file_no, rec_id, patient FROM ${AE_REFS} WHERE patient IS NOT NULL
     UNION ALL SELECT file_no, rec_id, e.what FROM ${AE_ENT}`,
    I.refs,
  );
  await st.run(`DROP TABLE ${AE_REFS}`);
  const ref = (alias: string, r: string, on: string) =>
    `LEFT JOIN ${I.refs} ${alias} ON ${alias}.k = ${refKey(r, `${on}.file_no`, `${on}.rec_id`)}`;
  // The entity a literal `what` names, read from its text (the old, one-pass way).
  const fastType = (e: string) =>
    entityType(e, `coalesce(${literalType(`${e}.what.reference`)}, ${typeField(`${e}.what`)})`);
  await st.run(
    `INSERT INTO ${F.map} (rec_id, event_id, occurred_at, user_id, action, category, patient_id,
       encounter_id, channel, workstation_id, source, fhir_reason, skip, hint)
     WITH ent AS (
       SELECT n.rec_id, n.i, x.pid, ${entityType('n.e', 'CASE WHEN x.is_patient THEN x.ty ELSE x.ty0 END')} AS t
       FROM ${AE_ENT} n ${ref('x', 'n.e.what', 'n')}),
     ea AS (
       SELECT rec_id,
         arg_min(pid, i) FILTER (WHERE t = 'Patient') AS pid,
         arg_min(pid, i) FILTER (WHERE t = 'Encounter') AS enc,
         coalesce(arg_min(t, i) FILTER (WHERE t NOT IN ('Patient', 'Encounter')),
                  min(t) FILTER (WHERE t = 'Encounter'), min(t) FILTER (WHERE t = 'Patient')) AS rt
       FROM ent GROUP BY rec_id),
     a AS (
       SELECT rec_id, file_no, txt, s, ai, s.agent[ai] AS ag,
         list_transform(s.entity, lambda e: {'e': e, 't': ${fastType('e')}}) AS ents
       FROM (SELECT *, ${requestor('s')} AS ai FROM (${events(AUDIT_EVENT)}))),
     b AS (
       SELECT a.*, list_filter(ents, lambda x: x.t = 'Patient')[1].e AS pe,
         list_filter(ents, lambda x: x.t = 'Encounter')[1].e AS ee
       FROM a),
     d AS (
       SELECT b.rec_id, b.txt, b.s, b.ai, b.ag,
         CASE WHEN ea.rec_id IS NOT NULL THEN ea.pid ELSE ${normRef('b.pe.what.reference')} END AS epid,
         CASE WHEN ea.rec_id IS NOT NULL THEN ea.enc ELSE ${normRef('b.ee.what.reference')} END AS enc,
         CASE WHEN ea.rec_id IS NOT NULL THEN ea.rt ELSE
           coalesce(list_filter(b.ents, lambda x: x.t NOT IN ('Patient', 'Encounter'))[1].t,
                    list_filter(b.ents, lambda x: x.t = 'Encounter')[1].t,
                    list_filter(b.ents, lambda x: x.t = 'Patient')[1].t) END AS rt,
         pp.pid AS r5pid,
         coalesce(nullif(b.s.subtype[1].code, ''), nullif(b.s.type.code, '')) AS code,
         coalesce(nullif(b.s.subtype[1].code, ''), nullif(b.s.type.code, '')) || coalesce(':' || nullif(b.s.action, ''), '') AS act,
         CASE WHEN NOT u.is_patient THEN u.uid END AS uid, u.is_patient, u.ty AS agtype, u.dangling,
         ${dateTime(`coalesce(nullif(b.s.recorded, ''), nullif(b.s.period.start, ''))`)} AS t
       FROM b ${ref('u', 'b.ag.who', 'b')} ${ref('pp', 'b.s.patient', 'b')}
       LEFT JOIN ea ON ea.rec_id = b.rec_id)
     SELECT d.rec_id, coalesce(nullif(d.s.id, ''), ${contentHash('d.txt')}), d.t, d.uid, d.act,
       coalesce(u1.category, u2.category, u3.category, m1.category, m2.category, m3.category),
       coalesce(d.epid, d.r5pid), d.enc, ${channelOf('d.ag')}, nullif(d.ag.network.address, ''), 'fhir',
       CASE WHEN d.t IS NULL THEN 'the AuditEvent has neither recorded nor period.start, so no time'
         WHEN coalesce(len(d.s.agent), 0) = 0 THEN 'the AuditEvent has no agent, so no user to credit it to'
         WHEN d.is_patient THEN 'its user (agent[' || (d.ai - 1) || ']) is a ' || d.agtype
           || ': Uptake imports what clinicians do, and never stores a patient''s identifier as a user'
         WHEN d.dangling THEN 'its user (agent[' || (d.ai - 1) || ']) is a reference to no Bundle entry (fullUrl) or contained resource of its file'
         WHEN d.uid IS NULL THEN 'its user (agent[' || (d.ai - 1) || '], the requestor or else the first agent) has neither who.identifier.value nor who.reference'
         WHEN d.code IS NULL THEN 'the AuditEvent has neither subtype[0].code nor type.code, so no action'
       END,
       NULL,
       coalesce(${keyRtA}, d.rt)
     FROM d
     ${lookup('u1', F.umap, keyRtA)} ${lookup('u2', F.umap, 'd.rt')} ${lookup('u3', F.umap, 'd.act')}
     ${lookup('m1', F.smap, keyRtA)} ${lookup('m2', F.smap, 'd.rt')} ${lookup('m3', F.smap, 'd.act')}`,
  );
  await st.run(
    `CREATE TEMP TABLE ${F.names} AS
     SELECT action, 'map it by ' || array_to_string(list_sort(list_distinct(list(hint)))[1:5], ', ') AS name
     FROM ${F.map} WHERE category IS NULL AND fhir_reason IS NULL AND hint IS NOT NULL AND action IS NOT NULL
     GROUP BY action`,
  );
}
