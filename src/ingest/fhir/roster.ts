/**
 * Practitioner + PractitionerRole → `clinicians` (`docs/formats.md`).
 *
 * - `user_id`: the roster key (`../../model/clinicianIdentifiers.ts`): the practitioner's
 *   identifier of the key system (`--identifier-system`, the NPI by default), else
 *   `Practitioner/<id>`. A PractitionerRole's `practitioner` is resolved the FHIR way
 *   (`identities.ts`: literal, `fullUrl`, contained, conditional, or by identifier alone, as US
 *   Core and Synthea write it) to a Practitioner among the files or stored by an earlier import;
 *   one that names none keeps `identifier.value`, else its reference.
 * - `role` from `PractitionerRole.code`, `specialty` from `.specialty` (text, else the first
 *   coding's display, else its code), `department` from `.organization`, else `.location`
 *   (display, else reference), `name` from `Practitioner.name` (official, else first: `text`, else
 *   prefix given family suffix), else the role's `practitioner.display`.
 * - One row per practitioner: of several roles, the one with a code that is active (`active` not
 *   false, `period.end` not past), latest `period.start`, last in the files, is kept; the others
 *   are counted in the report's notes. A Practitioner without any role is rejected (the roster
 *   needs the role) unless `--default-role` gives one; one with roles is merged into them.
 * - A role whose practitioner is a patient (`identities.ts`) is rejected without quoting it.
 */
import type { StagingArea } from '../../store/Store.ts';
import { I } from './identities.ts';
import { F } from './read.ts';
import { conceptText, normRef, refKey, transform } from './sql.ts';

const PRACTITIONER_NAME = {
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

/** SQL: a list of strings joined by spaces, or NULL when empty. */
const words = (l: string) => `nullif(array_to_string(${l}, ' '), '')`;

export async function mapRoster(st: StagingArea): Promise<void> {
  const name = `coalesce(list_filter(n.s.name, lambda x: x.use = 'official')[1], n.s.name[1])`;
  await st.run(
    `INSERT INTO ${F.map} (rec_id, user_id, role, name, specialty, department, fte, timezone, fhir_reason, skip, note)
     WITH p AS (
       SELECT pe.rec_id, pe.uid, pe.rid,
         coalesce(nullif(${name}.text, ''),
           nullif(concat_ws(' ', ${words(`${name}.prefix`)}, ${words(`${name}.given`)}, nullif(${name}.family, ''), ${words(`${name}.suffix`)}), '')) AS pname
       FROM ${I.person} pe
       JOIN (SELECT rec_id, ${transform('coalesce(res, raw)', PRACTITIONER_NAME)} AS s
             FROM ${F.rec} WHERE base_reason IS NULL AND rtype = 'Practitioner') n ON n.rec_id = pe.rec_id
       WHERE pe.rtype = 'Practitioner' AND NOT pe.local),
     pn AS (SELECT uid, arg_max(pname, rec_id) AS pname FROM p WHERE uid IS NOT NULL GROUP BY uid),
     rr AS (
       SELECT r.rec_id, r.file_no, r.pos, r.s, x.uid, x.is_patient, x.ty, x.dangling,
         coalesce(pn.pname, CASE WHEN NOT x.is_patient THEN nullif(r.s.practitioner.display, '') END) AS pname,
         ${conceptText('r.s.code[1]')} AS code,
         ${conceptText('r.s.specialty[1]')} AS specialty,
         coalesce(nullif(r.s.organization.display, ''), ${normRef('r.s.organization.reference')},
                  nullif(r.s.location[1].display, ''), ${normRef('r.s.location[1].reference')}) AS department,
         coalesce(r.s.active, true) AND coalesce(left(struct_extract(r.s.period, 'end'), 10) >= strftime(current_date, '%Y-%m-%d'), true) AS current
       FROM ${I.role} r
       LEFT JOIN ${I.roleRefs} x ON x.k = ${refKey('r.s.practitioner', 'r.file_no', 'r.rec_id')}
       LEFT JOIN pn ON pn.uid = x.uid),
     ranked AS (
       SELECT *, row_number() OVER (PARTITION BY uid ORDER BY (code IS NOT NULL) DESC, current DESC,
         s.period.start DESC NULLS LAST, file_no DESC, pos DESC) AS rk
       FROM rr)
     SELECT rec_id, uid, coalesce(code, o.default_role), pname, specialty, department, NULL, NULL,
       CASE WHEN is_patient THEN 'the PractitionerRole''s practitioner is a ' || ty
           || ': a patient is never a clinician of the roster, and a patient''s identifier is never stored as a user'
         WHEN dangling THEN 'the PractitionerRole''s practitioner is a reference to no Bundle entry (fullUrl) or contained resource of its file, so no user'
         WHEN uid IS NULL THEN 'the PractitionerRole names no practitioner (identifier or reference), so no user'
         WHEN code IS NULL AND o.default_role IS NULL
           THEN 'the PractitionerRole has no code, so no role (the roster needs one): give one with --default-role' END,
       CASE WHEN uid IS NOT NULL AND rk > 1 THEN 'practitioner_roles_not_kept' END,
       CASE WHEN uid IS NOT NULL AND rk = 1 AND code IS NULL AND o.default_role IS NOT NULL THEN 'roles_given_default_role' END
     FROM ranked, ${I.opts} o
     UNION ALL
     SELECT p.rec_id, p.uid, o.default_role, p.pname, NULL, NULL, NULL, NULL,
       CASE WHEN p.uid IS NULL THEN 'the Practitioner has neither an id nor an identifier, so no user'
         WHEN NOT has_role AND o.default_role IS NULL
           THEN coalesce('Practitioner/' || p.rid, 'the Practitioner') || ' has no PractitionerRole among the files, so no role: '
             || 'import its PractitionerRole resources with it, or give practitioners without one a role with --default-role' END,
       CASE WHEN has_role THEN 'practitioners_merged_into_roles' END,
       CASE WHEN NOT has_role AND p.uid IS NOT NULL AND o.default_role IS NOT NULL THEN 'practitioners_given_default_role' END
     FROM (SELECT p.*, coalesce(p.uid IN (SELECT uid FROM rr WHERE uid IS NOT NULL), false) AS has_role FROM p) p, ${I.opts} o`,
  );
}
