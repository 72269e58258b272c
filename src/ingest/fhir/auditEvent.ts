/**
 * AuditEvent → `events` (`shared/spec/formats.md` §3), plain R4 and IHE BALP alike: one
 * `json_transform` per resource, then list functions pick the agent and the entities.
 *
 * - `event_id`: `id`, else a SHA-256 of the resource's (minified) JSON.
 * - `occurred_at`: `recorded`, else `period.start`.
 * - `user_id`: the agent with `requestor = true`, else the first agent: `who.identifier.value`,
 *   else `who.reference` (relative form). An agent that is a Patient or RelatedPerson is rejected:
 *   Uptake measures clinicians' work and never stores a patient identifier as a user.
 * - `action`: `subtype[0].code`, else `type.code`, joined with `action` (C/R/U/D/E) as `code:action`.
 * - `patient_id`: the entity whose `what` references a Patient (or whose role is object-role 1,
 *   Patient: BALP's patient slice, or an identifier-only patient), else R5's `patient`.
 * - `encounter_id`: the entity whose `what` references an Encounter.
 * - `workstation_id`: the chosen agent's `network.address`.
 * - `category`: the FHIR action maps (see `README.md`: keys `<ResourceType>:<C|R|U|D|E>`,
 *   `<ResourceType>`, `<code>:<action>`; the user's map first, then the shipped one).
 */
import { fileURLToPath } from 'node:url';
import type { StagingArea } from '../../store/Store.ts';
import { loadActionMap } from '../actionMap.ts';
import { F } from './read.ts';
import {
  contentHash,
  dateTime,
  idElseRef,
  REFERENCE,
  refElseId,
  refStructType,
  transform,
} from './sql.ts';

/** The FHIR action map shipped with Uptake. */
export const FHIR_ACTION_MAP = fileURLToPath(new URL('../maps/fhir-actions.csv', import.meta.url));

const CODING = { system: 'VARCHAR', code: 'VARCHAR', display: 'VARCHAR' } as const;

/** The parts of an AuditEvent the mapping reads (R4, plus R5's `patient` when present). */
const AUDIT_EVENT = {
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
 * SQL: the resource type an entity is about: its `what` reference (or `what.type`), else an
 * entity type from the resource-types code system, else the type its query searches, else Patient
 * when its role is object-role 1 (Patient).
 */
function entityType(e: string): string {
  return `coalesce(${refStructType(`${e}.what`)},
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

/**
 * Insert the rows of every AuditEvent into `imp_fhir_map`, with their categories, and build
 * `imp_fhir_names`: for each action whose events found no category, the resource keys a map entry
 * could use (shown in the report's list of unmapped actions).
 */
export async function mapAuditEvents(st: StagingArea, userMap: string | undefined): Promise<void> {
  await loadMaps(st, userMap);
  const lookup = (alias: string, table: string, key: string) =>
    `LEFT JOIN ${table} ${alias} ON ${alias}.action = ${key}`;
  const keyRtA = `d.rt || ':' || nullif(d.s.action, '')`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, event_id, occurred_at, user_id, action, category, patient_id,
       encounter_id, channel, workstation_id, source, fhir_reason, skip, hint)
     WITH a AS (
       SELECT rec_id, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', AUDIT_EVENT)} AS s
       FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'AuditEvent'),
     b AS (
       SELECT rec_id, txt, s,
         coalesce(list_position(list_transform(s.agent, lambda g: coalesce(g.requestor, false)), true), 1) AS ai,
         list_transform(s.entity, lambda e: {'e': e, 't': ${entityType('e')}}) AS ents
       FROM a),
     c AS (
       SELECT rec_id, txt, s, ai, s.agent[ai] AS ag,
         list_filter(ents, lambda x: x.t = 'Patient')[1].e AS pe,
         list_filter(ents, lambda x: x.t = 'Encounter')[1].e AS ee,
         coalesce(list_filter(ents, lambda x: x.t NOT IN ('Patient', 'Encounter'))[1].t,
                  list_filter(ents, lambda x: x.t = 'Encounter')[1].t,
                  list_filter(ents, lambda x: x.t = 'Patient')[1].t) AS rt,
         coalesce(nullif(s.subtype[1].code, ''), nullif(s.type.code, '')) AS code
       FROM b),
     d AS (
       SELECT *, code || coalesce(':' || nullif(s.action, ''), '') AS act,
         ${idElseRef('ag.who')} AS uid, ${refStructType('ag.who')} AS agtype,
         ${dateTime(`coalesce(nullif(s.recorded, ''), nullif(s.period.start, ''))`)} AS t
       FROM c)
     SELECT d.rec_id, coalesce(nullif(d.s.id, ''), ${contentHash('d.txt')}), d.t, d.uid, d.act,
       coalesce(u1.category, u2.category, u3.category, m1.category, m2.category, m3.category),
       coalesce(${refElseId('d.pe.what')}, ${refElseId('d.s.patient')}),
       ${refElseId('d.ee.what')}, ${channelOf('d.ag')}, nullif(d.ag.network.address, ''), 'fhir',
       CASE WHEN d.t IS NULL THEN 'the AuditEvent has neither recorded nor period.start, so no time'
         WHEN coalesce(len(d.s.agent), 0) = 0 THEN 'the AuditEvent has no agent, so no user to credit it to'
         WHEN d.agtype IN ('Patient', 'RelatedPerson') THEN 'its user (agent[' || (d.ai - 1) || ']) is a ' || d.agtype
           || ': Uptake imports what clinicians do, and never stores a patient''s identifier as a user'
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
