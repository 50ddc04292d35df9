import { indexStructureDefinitionBundle, validateResource, type OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { readTrimmedDefinitions, VALIDATED_RESOURCE_TYPES } from './fhir-definitions.js';

let indexed = false;

const validatedTypes: ReadonlySet<string> = new Set(VALIDATED_RESOURCE_TYPES);

/** Loads the FHIR R4 structure definitions the platform validates against once per process, on first use. */
function ensureIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readTrimmedDefinitions());
  indexed = true;
}

/** A resource type the platform does not know is refused as such, not validated against nothing. */
function unknownTypeIssue(resourceType: unknown): OperationOutcomeIssue[] {
  return [
    {
      severity: 'error',
      code: 'not-supported',
      details: { text: `Resources of type ${String(resourceType).slice(0, 64)} are not accepted here.` },
    },
  ];
}

/**
 * Validates a resource's structure, cardinality and formats with @medplum/core.
 * Returns the issues; an empty list means valid. (FHIR-9: required code bindings are not
 * checked by the library; callers check the codes they depend on.)
 */
export function validateFhirResource(resource: Resource): OperationOutcomeIssue[] {
  ensureIndexed();
  if (!validatedTypes.has(resource.resourceType)) return unknownTypeIssue(resource.resourceType);
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
