import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  basedOnReferral,
  observationProblems,
  observationValue,
  parseIfNoneExist,
  reportProblems,
} from './lab-results.js';
import { REFERRAL_SYSTEM } from '../delivery/referral-bundle.js';

const report: DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  status: 'final',
  code: { text: 'BBV screen' },
  basedOn: [{ reference: 'ServiceRequest/s1' }],
  result: [{ reference: 'Observation/o1' }],
};
const observation: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'HBsAg' },
  valueCodeableConcept: { text: 'Not detected' },
  basedOn: [{ identifier: { system: REFERRAL_SYSTEM, value: 'r1' } }],
};

describe('laboratory results from partners', () => {
  it('when a result names our referral by reference or identifier, then it is found', () => {
    expect(basedOnReferral(report)).toEqual({ id: 's1' });
    expect(basedOnReferral(observation)).toEqual({ referralId: 'r1' });
    expect(
      basedOnReferral({ basedOn: [{ reference: 'ServiceRequest/a' }, { reference: 'ServiceRequest/b' }] }),
    ).toBeNull();
    expect(basedOnReferral({ basedOn: [{ reference: 'CarePlan/a' }] })).toBeNull();
  });

  it('when a report or observation is complete, then it has no problems; when a status, code, value or referral is missing, then each is named', () => {
    expect(reportProblems(report, { inTransaction: false })).toEqual([]);
    expect(observationProblems(observation, { inTransaction: false })).toEqual([]);
    expect(
      reportProblems(
        {
          ...report,
          status: 'done' as DiagnosticReport['status'],
          code: {},
          basedOn: [],
          result: [{ reference: 'urn:uuid:0f0e0d0c-0b0a-4909-8807-060504030201' }],
        },
        { inTransaction: false },
      ),
    ).toHaveLength(4);
    const { valueCodeableConcept: _v, basedOn: _b, ...bare } = observation;
    expect(observationProblems(bare as Observation, { inTransaction: false })).toHaveLength(2);
    expect(observationProblems(bare as Observation, { inTransaction: true })).toHaveLength(1);
  });

  it('when values are quantities, codes or absent, then they read as words', () => {
    expect(
      observationValue({
        ...observation,
        valueCodeableConcept: undefined,
        valueQuantity: { value: 12, unit: 'mIU/mL', comparator: '<' },
      }),
    ).toBe('<12 mIU/mL');
    expect(observationValue(observation)).toBe('Not detected');
    expect(
      observationValue({
        ...observation,
        valueCodeableConcept: undefined,
        dataAbsentReason: { text: 'Sample haemolysed' },
      }),
    ).toBe('No value: Sample haemolysed');
  });

  it('when If-None-Exist is identifier=system|value, then it is read; anything else (or bad escapes) is not', () => {
    expect(parseIfNoneExist('identifier=https://lab.example/r|R-1')).toEqual({
      system: 'https://lab.example/r',
      value: 'R-1',
    });
    expect(parseIfNoneExist('status=final')).toBeNull();
    expect(parseIfNoneExist('identifier=%E0%A4%A|x')).toBeNull();
  });
});
