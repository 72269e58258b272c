/**
 * Practitioner + PractitionerRole → `clinicians` (`shared/spec/formats.md` §4).
 *
 * - `user_id`: the practitioner's first identifier value (skipping `use = old`), else
 *   `Practitioner/<id>` — the rule AuditEvent agents follow (`who.identifier.value`, else
 *   `who.reference`), so that a log naming the practitioner the same way matches. A role whose
 *   practitioner is not among the files takes `practitioner.identifier.value`, else its reference.
 * - `role` from `PractitionerRole.code`, `specialty` from `.specialty` (text, else the first
 *   coding's display, else its code), `department` from `.organization`, else `.location`
 *   (display, else reference), `name` from `Practitioner.name` (official, else first: `text`, else
 *   prefix given family suffix), else the role's `practitioner.display`.
 * - One row per practitioner: of several roles, the one with a code that is active (`active` not
 *   false, `period.end` not past), latest `period.start`, last in the files, is kept; the others
 *   are counted in the report's notes. A Practitioner without any role is rejected (the roster
 *   needs the role); one with roles is merged into them (counted in the notes).
 */
import type { StagingArea } from '../../store/Store.ts';
import { F } from './read.ts';
import { CONCEPT, conceptText, idElseRef, normRef, REFERENCE, transform } from './sql.ts';

const PRACTITIONER = {
  id: 'VARCHAR',
  identifier: [{ use: 'VARCHAR', value: 'VARCHAR' }],
  name: [
    {
      use: 'VARCHAR',
      text: 'VARCHAR',
      family: 'VARCHAR',
      given: ['VARCHAR'],
      prefix: ['VARCHAR'],
      suffix: ['VARCHAR'],
    },
  ],
};

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

/** SQL: a list of strings joined by spaces, or NULL when empty. */
const words = (l: string) => `nullif(array_to_string(${l}, ' '), '')`;

export async function mapRoster(st: StagingArea): Promise<void> {
  const name = `coalesce(list_filter(s.name, lambda n: n.use = 'official')[1], s.name[1])`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, role, name, specialty, department, fte, timezone, fhir_reason, skip)
     WITH p AS (
       SELECT rec_id, s, 'Practitioner/' || s.id AS ref,
         coalesce(list_filter(s.identifier, lambda i: nullif(i.value, '') IS NOT NULL AND coalesce(i.use, '') <> 'old')[1].value,
                  'Practitioner/' || s.id) AS uid,
         coalesce(nullif(${name}.text, ''),
           nullif(concat_ws(' ', ${words(`${name}.prefix`)}, ${words(`${name}.given`)}, nullif(${name}.family, ''), ${words(`${name}.suffix`)}), '')) AS pname
       FROM (SELECT rec_id, ${transform('coalesce(res, raw)', PRACTITIONER)} AS s
             FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'Practitioner')),
     r AS (
       SELECT rec_id, file_no, pos, s, ${normRef('s.practitioner.reference')} AS pref
       FROM (SELECT rec_id, file_no, pos, ${transform('coalesce(res, raw)', PRACTITIONER_ROLE)} AS s
             FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'PractitionerRole')),
     rr AS (
       SELECT r.rec_id, r.file_no, r.pos, r.s,
         coalesce(p.uid, ${idElseRef('r.s.practitioner')}) AS uid,
         coalesce(p.pname, nullif(r.s.practitioner.display, '')) AS pname,
         ${conceptText('r.s.code[1]')} AS role,
         ${conceptText('r.s.specialty[1]')} AS specialty,
         coalesce(nullif(r.s.organization.display, ''), ${normRef('r.s.organization.reference')},
                  nullif(r.s.location[1].display, ''), ${normRef('r.s.location[1].reference')}) AS department,
         coalesce(r.s.active, true) AND coalesce(left(struct_extract(r.s.period, 'end'), 10) >= strftime(current_date, '%Y-%m-%d'), true) AS current
       FROM r LEFT JOIN p ON p.ref = r.pref),
     ranked AS (
       SELECT *, row_number() OVER (PARTITION BY uid ORDER BY (role IS NOT NULL) DESC, current DESC,
         s.period.start DESC NULLS LAST, file_no DESC, pos DESC) AS rk
       FROM rr)
     SELECT rec_id, uid, role, pname, specialty, department, NULL, NULL,
       CASE WHEN uid IS NULL THEN 'the PractitionerRole names no practitioner (identifier or reference), so no user'
         WHEN role IS NULL THEN 'the PractitionerRole has no code, so no role (the roster needs one)' END,
       CASE WHEN uid IS NOT NULL AND rk > 1 THEN 'practitioner_roles_not_kept' END
     FROM ranked
     UNION ALL
     SELECT rec_id, uid, NULL, pname, NULL, NULL, NULL, NULL,
       CASE WHEN ref NOT IN (SELECT pref FROM r WHERE pref IS NOT NULL)
         THEN ref || ' has no PractitionerRole among the files, so no role: import its PractitionerRole resources with it' END,
       CASE WHEN ref IN (SELECT pref FROM r WHERE pref IS NOT NULL) THEN 'practitioners_merged_into_roles' END
     FROM p`,
  );
}
