/**
 * MedicationRequest and ServiceRequest → `orders` (`docs/formats.md`).
 *
 * - `order_id`: `<resourceType>/<id>` (so a MedicationRequest and a ServiceRequest with the same
 *   id stay two orders), else a SHA-256 of the resource.
 * - `user_id`: `requester` (the signing clinician), resolved the FHIR way (`identities.ts`):
 *   literal, `fullUrl` (`urn:uuid:`), contained, conditional (`Practitioner?identifier=…|NPI`) or
 *   by identifier, to the roster key of the practitioner it names. A requester that is a patient
 *   (Patient or RelatedPerson, in any of these forms) is rejected: Uptake counts orders signed by
 *   clinicians and never stores a patient's identifier as a user; so is one that names nothing.
 * - `entered_by`: `recorder` when present (MedicationRequest), same rule; else the `enterer` agent
 *   of a Provenance whose `target` is the order (formats.md §5: R4 ServiceRequest has no recorder).
 *   A patient there is not stored (the order is; counted in the notes).
 * - `signed_at`: `authoredOn`; `patient_id`: `subject`; `order_type`: medication for a
 *   MedicationRequest, other for a ServiceRequest.
 * - Not orders, counted in the report's notes and not stored: `status` draft (not signed) or
 *   entered-in-error, and `intent` proposal, plan, option or directive (suggestions, not orders).
 */
import type { StagingArea } from '../../store/Store.ts';
import { I, resolveRefs } from './identities.ts';
import { F } from './read.ts';
import { contentHash, dateTime, normRef, REFERENCE, refKey, toResolve, transform } from './sql.ts';

const REQUEST = {
  id: 'VARCHAR',
  status: 'VARCHAR',
  intent: 'VARCHAR',
  authoredOn: 'VARCHAR',
  requester: REFERENCE,
  recorder: REFERENCE,
  subject: REFERENCE,
};

const PROVENANCE = {
  target: [REFERENCE],
  agent: [{ type: { coding: [{ system: 'VARCHAR', code: 'VARCHAR' }] }, who: REFERENCE }],
};

/** Staging tables of the orders mapping. */
const REQ = 'imp_fhir_req';
const PROV = 'imp_fhir_prov';
export const ORDER_TABLES = [REQ, PROV];

export async function mapOrders(st: StagingArea): Promise<void> {
  await st.run(
    `CREATE TEMP TABLE ${REQ} AS
     SELECT rec_id, file_no, rtype, rtype || '/' || coalesce(nullif(s.id, ''), ${contentHash('txt')}) AS order_id, s
     FROM (SELECT rec_id, file_no, rtype, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', REQUEST)} AS s
           FROM ${F.rec} WHERE base_reason IS NULL AND rtype IN ('MedicationRequest', 'ServiceRequest'))`,
  );
  await st.run(
    `CREATE TEMP TABLE ${PROV} AS
     SELECT rec_id, file_no, unnest(p.target) AS tg,
       list_filter(p.agent, lambda g: list_contains(list_transform(g.type.coding, lambda c: c.code), 'enterer'))[1] AS en
     FROM (SELECT rec_id, file_no, ${transform('coalesce(res, raw)', PROVENANCE)} AS p
           FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'Provenance')`,
  );
  // Clinicians are always resolved (to their roster key); a subject or a Provenance target only
  // when its text does not say what it is (`toResolve`).
  await resolveRefs(
    st,
    [
      `SELECT file_no, rec_id, s.requester AS r FROM ${REQ}`,
      `SELECT file_no, rec_id, s.recorder FROM ${REQ} WHERE s.recorder IS NOT NULL`,
      `SELECT file_no, rec_id, s.subject FROM ${REQ} WHERE ${toResolve('s.subject')}`,
      `SELECT file_no, rec_id, tg FROM ${PROV} WHERE en IS NOT NULL AND ${toResolve('tg')}`,
      `SELECT file_no, rec_id, en.who FROM ${PROV} WHERE en IS NOT NULL`,
    ].join(' UNION ALL '),
    I.refs,
  );
  const ref = (alias: string, r: string, when = 'true') =>
    `LEFT JOIN ${I.refs} ${alias} ON ${alias}.k = CASE WHEN ${when} THEN ${refKey(r, 'q.file_no', 'q.rec_id')} END`;
  // Who entered each order, by the order it targets (its `Type/id`, or the Bundle entry).
  const pv = `(SELECT coalesce(CASE WHEN ${toResolve('q.tg')} THEN coalesce(t.norm, t.tpk) ELSE ${normRef('q.tg.reference')} END) AS target,
       any_value(w.uid) FILTER (WHERE NOT w.is_patient) AS enterer, bool_or(w.is_patient) AS patient
     FROM ${PROV} q ${ref('t', 'q.tg', toResolve('q.tg'))} ${ref('w', 'q.en.who')}
     WHERE q.en IS NOT NULL GROUP BY 1 HAVING target IS NOT NULL)`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, order_id, user_id, signed_at, entered_by, order_type, patient_id, fhir_reason, skip, note)
     SELECT q.rec_id, q.order_id, CASE WHEN NOT rq.is_patient THEN rq.uid END, ${dateTime('q.s.authoredOn')},
       coalesce(CASE WHEN NOT rc.is_patient THEN rc.uid END, coalesce(pv1.enterer, pv2.enterer)),
       CASE q.rtype WHEN 'MedicationRequest' THEN 'medication' ELSE 'other' END,
       CASE WHEN ${toResolve('q.s.subject')} THEN sb.pid ELSE ${normRef('q.s.subject.reference')} END,
       CASE WHEN rq.is_patient
           THEN 'its requester is a ' || rq.ty || ': Uptake counts orders signed by clinicians, and never stores a patient''s identifier as a user'
         WHEN rq.dangling THEN 'its requester is a reference to no Bundle entry (fullUrl) or contained resource of its file, so no clinician'
         WHEN rq.uid IS NULL THEN 'the ' || q.rtype || ' has no requester (the clinician who signed it)'
         WHEN nullif(q.s.authoredOn, '') IS NULL THEN 'the ' || q.rtype || ' has no authoredOn (when it was signed)' END,
       CASE WHEN q.s.status IN ('draft', 'entered-in-error') THEN 'orders_' || replace(q.s.status, '-', '_')
         WHEN q.s.intent IN ('proposal', 'plan', 'option', 'directive') THEN 'requests_not_orders_' || q.s.intent END,
       CASE WHEN coalesce(rc.is_patient, false) OR coalesce(pv1.patient, pv2.patient, false)
         THEN 'orders_entered_by_a_patient_not_stored' END
     FROM ${REQ} q ${ref('rq', 'q.s.requester')} ${ref('rc', 'q.s.recorder', 'q.s.recorder IS NOT NULL')}
       ${ref('sb', 'q.s.subject', toResolve('q.s.subject'))}
     LEFT JOIN ${pv} pv1 ON pv1.target = q.rtype || '/' || q.s.id
     LEFT JOIN ${pv} pv2 ON pv2.target = 'r' || q.rec_id`,
  );
}
