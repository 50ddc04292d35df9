import { describe, expect, it } from 'vitest';
import { validateFhirResource } from './fhir-validation.js';

describe('FHIR validation of what partners send', () => {
  it('when a primitive is an object the library trips over (a valueOf key), then it is an issue, not a crash', () => {
    const issues = validateFhirResource(
      JSON.parse('{"resourceType":"Observation","status":"final","code":{"text":{"valueOf":0}},"valueString":"x"}'),
    );
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'structure' })]);
  });

  it('when a resource is valid, then there are no issues', () => {
    expect(
      validateFhirResource({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'HBsAg' },
        valueString: 'Not detected',
      }),
    ).toEqual([]);
  });
});
