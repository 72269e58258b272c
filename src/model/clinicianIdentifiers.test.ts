import { describe, expect, it } from 'vitest';
import {
  NPI_SYSTEM,
  practitionerIdentities,
  practitionerKey,
  referenceIdentity,
} from './clinicianIdentifiers.ts';

const SS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] };

describe('clinician identity conventions', () => {
  it('a literal Practitioner or PractitionerRole reference names an identity; other forms do not', () => {
    expect(referenceIdentity('Practitioner/p1')).toEqual({ system: 'Practitioner', value: 'p1' });
    expect(referenceIdentity('https://ehr.example.org/fhir/r4/Practitioner/p1/_history/7')).toEqual(
      { system: 'Practitioner', value: 'p1' },
    );
    expect(referenceIdentity('PractitionerRole/r-2')).toEqual({
      system: 'PractitionerRole',
      value: 'r-2',
    });
    for (const other of [
      'Patient/p1',
      `Practitioner?identifier=${NPI_SYSTEM}|123`,
      'urn:uuid:0b7e6d1c-1f4a-4c55-9a01-5c2f0e000001',
      '#p1',
      'Practitioner/',
      'Practitioner/bad id',
    ])
      expect(referenceIdentity(other), other).toBeNull();
  });

  it("a practitioner's identities and key: id, kept identifiers; NPI first, else the resource id", () => {
    const p = {
      id: 'p1',
      identifier: [
        { system: 'https://ehr.example.org/sid/login', value: 'AOKAFOR' },
        { system: NPI_SYSTEM, value: '1234567893' },
        { system: NPI_SYSTEM, value: '9999999999', use: 'old' }, // may be someone else's now
        { system: 'http://hl7.org/fhir/sid/us-ssn', value: '123-45-6789', type: SS }, // never kept
        { value: 'no-system' }, // no system: not kept
      ],
    };
    expect(practitionerIdentities(p)).toEqual([
      { system: 'Practitioner', value: 'p1' },
      { system: 'https://ehr.example.org/sid/login', value: 'AOKAFOR' },
      { system: NPI_SYSTEM, value: '1234567893' },
    ]);
    expect(practitionerKey(p)).toBe('1234567893');
    expect(practitionerKey(p, 'https://ehr.example.org/sid/login')).toBe('AOKAFOR');
    expect(practitionerKey(p, 'urn:oid:1.2.3')).toBe('Practitioner/p1');
    expect(practitionerKey({ identifier: [{ value: 'x1' }] })).toBe('x1');
    expect(practitionerKey({ identifier: [{ system: 'a', value: '1', type: SS }] })).toBeNull();
  });
});
