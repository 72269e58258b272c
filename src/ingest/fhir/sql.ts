/**
 * SQL building blocks shared by the FHIR mappings (DuckDB, in the staging area). Everything here
 * returns SQL text over our own constants and column names, never over user input.
 */

/** A FHIR logical id (`[A-Za-z0-9\-\.]{1,64}`), as a regular-expression fragment. */
const ID = '[A-Za-z0-9.-]{1,64}';
/** `Type/id`, optionally followed by `/_history/vid`, at the end of a reference. */
const TYPED_REF = `([A-Z][A-Za-z]+)/${ID}(?:/_history/${ID})?$`;

/** SQL string literal of our own text. */
export const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * SQL: a reference in its relative form `Type/id` — a base URL and a `/_history/…` suffix are
 * dropped, so `http://x/fhir/Patient/1/_history/2` and `Patient/1` are the same patient. Other
 * references (contained `#p1`, `urn:uuid:…`) are kept as written. Empty text is NULL.
 */
export function normRef(e: string): string {
  return `CASE WHEN regexp_matches(${e}, '(?:^|/)${TYPED_REF}')
    THEN regexp_extract(${e}, '([A-Z][A-Za-z]+/${ID})(?:/_history/${ID})?$', 1) ELSE nullif(${e}, '') END`;
}

/** SQL: the resource type a reference's text names (`Patient` for `…/Patient/1`), else NULL. */
export function refType(e: string): string {
  return `nullif(regexp_extract(${e}, '(?:^|/)${TYPED_REF}', 1), '')`;
}

/** SQL: the resource type of a `Reference` struct: from its reference text, else its `type` uri. */
export function refStructType(r: string): string {
  return `coalesce(${refType(`${r}.reference`)}, nullif(regexp_extract(${r}.type, '([A-Z][A-Za-z]+)$', 1), ''))`;
}

/**
 * SQL: who a `Reference` struct names, by the rule `formats.md` §3 gives for AuditEvent agents:
 * `identifier.value`, else the (relative) reference.
 */
export function idElseRef(r: string): string {
  return `coalesce(nullif(${r}.identifier.value, ''), ${normRef(`${r}.reference`)})`;
}

/**
 * SQL: which patient (or encounter) a `Reference` struct names: the (relative) reference, else
 * `identifier.value` — the reference first, so that the same patient gets the same pseudonym in
 * events, schedules and orders, which all reference it as `Patient/<id>`.
 */
export function refElseId(r: string): string {
  return `coalesce(${normRef(`${r}.reference`)}, nullif(${r}.identifier.value, ''))`;
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

/** json_transform structure of a Reference. */
export const REFERENCE = {
  reference: 'VARCHAR',
  type: 'VARCHAR',
  display: 'VARCHAR',
  identifier: { value: 'VARCHAR' },
} as const;

/** json_transform structure of a CodeableConcept. */
export const CONCEPT = {
  text: 'VARCHAR',
  coding: [{ system: 'VARCHAR', code: 'VARCHAR', display: 'VARCHAR' }],
} as const;

/** SQL: `json_transform` of `json` to `structure` (one parse per row; mismatched types become NULL). */
export function transform(json: string, structure: object): string {
  return `json_transform(${json}, ${lit(JSON.stringify(structure))})`;
}
