/**
 * MedicationRequest and ServiceRequest → `orders` (`shared/spec/formats.md` §5).
 *
 * - `order_id`: `<resourceType>/<id>` (so a MedicationRequest and a ServiceRequest with the same
 *   id stay two orders), else a SHA-256 of the resource.
 * - `user_id`: `requester` (the signing clinician): `identifier.value`, else the reference. A
 *   Patient or RelatedPerson requester is rejected (not a clinician; never stored as a user).
 * - `entered_by`: `recorder` when present (MedicationRequest), same rule; else the `enterer` agent
 *   of a Provenance whose `target` is the order (formats.md §5: R4 ServiceRequest has no recorder).
 * - `signed_at`: `authoredOn`; `patient_id`: `subject`; `order_type`: medication for a
 *   MedicationRequest, other for a ServiceRequest.
 * - Not orders, counted in the report's notes and not stored: `status` draft (not signed) or
 *   entered-in-error, and `intent` proposal, plan, option or directive (suggestions, not orders).
 */
import type { StagingArea } from '../../store/Store.ts';
import { F } from './read.ts';
import {
  contentHash,
  dateTime,
  idElseRef,
  normRef,
  REFERENCE,
  refElseId,
  refStructType,
  transform,
} from './sql.ts';

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

export async function mapOrders(st: StagingArea): Promise<void> {
  await st.run(
    `INSERT INTO ${F.map} (rec_id, order_id, user_id, signed_at, entered_by, order_type, patient_id, fhir_reason, skip)
     SELECT rec_id,
       rtype || '/' || coalesce(nullif(s.id, ''), ${contentHash('txt')}),
       ${idElseRef('s.requester')}, ${dateTime('s.authoredOn')}, coalesce(${idElseRef('s.recorder')}, pv.enterer),
       CASE rtype WHEN 'MedicationRequest' THEN 'medication' ELSE 'other' END,
       ${refElseId('s.subject')},
       CASE WHEN ${refStructType('s.requester')} IN ('Patient', 'RelatedPerson')
           THEN 'its requester is a ' || ${refStructType('s.requester')} || ': Uptake counts orders signed by clinicians, and never stores a patient''s identifier as a user'
         WHEN ${idElseRef('s.requester')} IS NULL THEN 'the ' || rtype || ' has no requester (the clinician who signed it)'
         WHEN nullif(s.authoredOn, '') IS NULL THEN 'the ' || rtype || ' has no authoredOn (when it was signed)' END,
       CASE WHEN s.status IN ('draft', 'entered-in-error') THEN 'orders_' || replace(s.status, '-', '_')
         WHEN s.intent IN ('proposal', 'plan', 'option', 'directive') THEN 'requests_not_orders_' || s.intent END
     FROM (SELECT rec_id, rtype, coalesce(res, raw) AS txt, ${transform('coalesce(res, raw)', REQUEST)} AS s
           FROM ${F.rec} WHERE base_reason IS NULL AND rtype IN ('MedicationRequest', 'ServiceRequest'))
     LEFT JOIN (
       SELECT ${normRef('tg.reference')} AS target, any_value(${idElseRef('en.who')}) AS enterer
       FROM (SELECT unnest(p.target) AS tg,
               list_filter(p.agent, lambda g: list_contains(list_transform(g.type.coding, lambda c: c.code), 'enterer'))[1] AS en
             FROM (SELECT ${transform('coalesce(res, raw)', PROVENANCE)} AS p
                   FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'Provenance'))
       WHERE en IS NOT NULL GROUP BY 1) pv
       ON pv.target = rtype || '/' || s.id`,
  );
}
