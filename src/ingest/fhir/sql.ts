/**
 * SQL building blocks shared by the FHIR mappings (DuckDB, in the staging area). Everything here
 * returns SQL text over our own constants and column names, never over user input.
 */
import { PATIENT_IDENTIFIER_TYPES } from '../../model/clinicianIdentifiers.ts';
import { quoteLiteral } from '../../store/quote.ts';

/** A FHIR logical id (`[A-Za-z0-9\-\.]{1,64}`), as a regular-expression fragment. */
const ID = '[A-Za-z0-9.-]{1,64}';
/** `Type/id`, optionally followed by `/_history/vid`, at the end of a reference. */
const TYPED_REF = `([A-Z][A-Za-z]+)/${ID}(?:/_history/${ID})?$`;
/** A literal reference (relative, or absolute after a base URL): groups type and id. */
export const LITERAL = `(?:^|/)([A-Z][A-Za-z]+)/(${ID})(?:/_history/${ID})?$`;

/**
 * SQL: a reference in its relative form `Type/id` — a base URL and a `/_history/…` suffix are
 * dropped, so `http://x/fhir/Patient/1/_history/2` and `Patient/1` are the same patient. Other
 * references (contained `#p1`, `urn:uuid:…`) are kept as written. Empty text is NULL.
 */
export function normRef(e: string): string {
  return `CASE WHEN NOT contains(${e}, '?') AND regexp_matches(${e}, '(?:^|/)${TYPED_REF}')
    THEN regexp_extract(${e}, '([A-Z][A-Za-z]+/${ID})(?:/_history/${ID})?$', 1) ELSE nullif(${e}, '') END`;
}

/**
 * SQL: the type a literal reference's text names (`Patient` for `Patient/1` or
 * `http://x/fhir/Patient/1/_history/2`), else NULL (conditional, `urn:`, `#` references).
 */
export function literalType(e: string): string {
  return `CASE WHEN NOT contains(${e}, '?') THEN nullif(regexp_extract(${e}, '(?:^|/)${TYPED_REF}', 1), '') END`;
}

/** SQL: the resource type a Reference's `type` (a type name or its StructureDefinition URL) names. */
export function typeField(r: string): string {
  return `nullif(regexp_extract(${r}.type, '([A-Z][A-Za-z]+)$', 1), '')`;
}

/**
 * SQL: a FHIR dateTime as the text of an instant. A date without a time (`2015-01-15`, allowed in
 * `authoredOn` or `period.start`) becomes local midnight (`2015-01-15T00:00:00`), so that it is
 * taken in `--source-tz`, or rejected for want of an offset — never read as if `-15` were one.
 */
export function dateTime(e: string): string {
  return `CASE WHEN regexp_matches(${e}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') THEN ${e} || 'T00:00:00' ELSE nullif(${e}, '') END`;
}

/** SQL: the human text of a CodeableConcept struct: `text`, else the first coding's display, else its code. */
export function conceptText(c: string): string {
  return `coalesce(nullif(${c}.text, ''),
    list_filter(${c}.coding, lambda x: nullif(x.display, '') IS NOT NULL)[1].display,
    list_filter(${c}.coding, lambda x: nullif(x.code, '') IS NOT NULL)[1].code)`;
}

/** SQL: a stable id derived from a resource's JSON (minified, so line and Bundle forms agree). */
export function contentHash(json: string): string {
  return `'sha256:' || sha256(json(${json}))`;
}

/** json_transform structure of a Reference (with its identifier's system and type). */
export const REFERENCE = {
  reference: 'VARCHAR',
  type: 'VARCHAR',
  display: 'VARCHAR',
  identifier: {
    system: 'VARCHAR',
    value: 'VARCHAR',
    type: { coding: [{ system: 'VARCHAR', code: 'VARCHAR' }] },
  },
} as const;

/** json_transform structure of an Identifier. */
export const IDENTIFIER = {
  use: 'VARCHAR',
  system: 'VARCHAR',
  value: 'VARCHAR',
  type: { coding: [{ system: 'VARCHAR', code: 'VARCHAR' }] },
} as const;

/** SQL: true when Identifier struct `i` has a type of `PATIENT_IDENTIFIER_TYPES`. */
export function patientIdentifierType(i: string): string {
  return `coalesce(len(list_filter(${i}.type.coding, lambda c: c.code IN (${PATIENT_IDENTIFIER_TYPES.map(quoteLiteral).join(', ')})
    AND (c.system IS NULL OR c.system LIKE '%v2-0203'))) > 0, false)`;
}

/**
 * SQL: the key by which a Reference struct `r` of record `recId` in file `fileNo` is looked up
 * in the table of resolved references (`identities.ts`). A `#id` reference is to a resource
 * contained in its record, any other may be to an entry of its Bundle (`fullUrl`): that scope is
 * part of the key, with everything else resolution reads.
 */
export function refKey(r: string, fileNo: string, recId: string): string {
  const f = (x: string) => `coalesce(nullif(${x}, ''), '')`;
  return `concat(CASE WHEN starts_with(${r}.reference, '#') THEN 'r' || ${recId} ELSE 'f' || ${fileNo} END,
    chr(31), ${f(`${r}.reference`)}, chr(31), ${f(`${r}.type`)}, chr(31), ${f(`${r}.identifier.system`)},
    chr(31), ${f(`${r}.identifier.value`)}, chr(31), CASE WHEN ${patientIdentifierType(`${r}.identifier`)} THEN 'p' ELSE '' END)`;
}

/**
 * SQL: true when Reference struct `r` needs resolution to say what it names — a `urn:` (Bundle
 * entry), `#` (contained) or conditional reference, or one with an identifier — rather than being
 * a literal `Type/id` (or nothing) whose text says it all. Plain string tests: patient and target
 * fields of every resource are tested, and only the few that need it are resolved.
 */
export function toResolve(r: string): string {
  return `(starts_with(${r}.reference, 'urn:') OR starts_with(${r}.reference, '#')
    OR contains(${r}.reference, '?') OR nullif(${r}.identifier.value, '') IS NOT NULL)`;
}

/** json_transform structure of a CodeableConcept. */
export const CONCEPT = {
  text: 'VARCHAR',
  coding: [{ system: 'VARCHAR', code: 'VARCHAR', display: 'VARCHAR' }],
} as const;

/** SQL: `json_transform` of `json` to `structure` (one parse per row; mismatched types become NULL). */
export function transform(json: string, structure: object): string {
  return `json_transform(${json}, ${quoteLiteral(JSON.stringify(structure))})`;
}
