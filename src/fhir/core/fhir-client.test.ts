import { describe, expect, it } from 'vitest';
import { fhirClientDebug, silenceFhirClientLogging } from './fhir-client.js';

describe('fhir-kit-client logging', () => {
  it('when DEBUG turns every logger on, then fhir-kit-client’s (headers with tokens, bodies with health data) stay off and others stay on', () => {
    fhirClientDebug.enable('*');
    silenceFhirClientLogging();
    expect(fhirClientDebug.enabled('fhir-kit-client:info')).toBe(false);
    expect(fhirClientDebug.enabled('fhir-kit-client:error')).toBe(false);
    expect(fhirClientDebug.enabled('express:router')).toBe(true);
    fhirClientDebug.disable();
    silenceFhirClientLogging();
  });
});
