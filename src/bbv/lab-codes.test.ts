import { describe, expect, it } from 'vitest';
import { resultOf, scheduleResultOf, testOf, type LabObservation } from './lab-codes.js';

const LOINC = 'http://loinc.org';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const SNOMED = 'http://snomed.info/sct';

const coded = (code: string, system = LOINC): LabObservation => ({ code: { coding: [{ system, code }] } });
const withInterpretation = (code: string): LabObservation => ({
  ...coded('56888-1'),
  interpretation: [{ coding: [{ system: INTERPRETATION, code }] }],
});
const withSnomed = (code: string): LabObservation => ({
  ...coded('56888-1'),
  valueCodeableConcept: { coding: [{ system: SNOMED, code }] },
});
const withWords = (text: string): LabObservation => ({ ...coded('56888-1'), valueCodeableConcept: { text } });

/** Issue 16 §4: a partner laboratory's Observation read onto the BBV schedule (data/bbv-loinc.json). */
describe('BBV laboratory codes', () => {
  it.each([
    ['5196-1', 'HBsAg'],
    ['16128-1', 'HCV-Ab'],
    ['11259-9', 'HCV-Ag-PCR'],
    ['56888-1', 'HIV-Ag-Ab'],
  ] as const)('the LOINC code %s is the schedule test %s', (code, test) => {
    expect(testOf(coded(code))).toBe(test);
  });

  it('reads the test from any of the Observation’s codings, but only a LOINC one', () => {
    expect(
      testOf({
        code: {
          coding: [
            { system: SNOMED, code: '315124004' },
            { system: LOINC, code: '5196-1' },
          ],
        },
      }),
    ).toBe('HBsAg');
    expect(testOf(coded('5196-1', SNOMED))).toBeNull();
  });

  it('an unknown or missing code is no schedule test', () => {
    expect(testOf(coded('2345-7'))).toBeNull();
    expect(testOf({})).toBeNull();
    expect(scheduleResultOf({ ...coded('2345-7'), status: 'final', valueCodeableConcept: { text: 'Negative' } })).toBe(
      null,
    );
  });

  it.each([
    ['NEG', 'negative'],
    ['N', 'negative'],
    ['ND', 'negative'],
    ['POS', 'positive'],
    ['DET', 'positive'],
    ['A', 'positive'],
    ['IND', 'indeterminate'],
    ['E', 'indeterminate'],
  ] as const)('the interpretation code %s reads %s', (code, value) => {
    expect(resultOf(withInterpretation(code))).toBe(value);
  });

  it.each([
    ['260385009', 'negative'],
    ['260415000', 'negative'],
    ['10828004', 'positive'],
    ['260373001', 'positive'],
    ['82334004', 'indeterminate'],
    ['419984006', 'indeterminate'],
  ] as const)('the SNOMED CT value %s reads %s', (code, value) => {
    expect(resultOf(withSnomed(code))).toBe(value);
  });

  it.each([
    ['Not detected', 'negative'],
    ['not detected.', 'negative'],
    ['Negative', 'negative'],
    ['Non-reactive', 'negative'],
    ['Detected', 'positive'],
    ['Reactive', 'positive'],
    ['POSITIVE', 'positive'],
    ['Equivocal', 'indeterminate'],
    ['Indeterminate – repeat sample requested', 'indeterminate'],
  ] as const)('the words "%s" read %s', (text, value) => {
    expect(resultOf(withWords(text))).toBe(value);
  });

  it('reads the words of a coded value’s display, or a plain string value', () => {
    expect(
      resultOf({ valueCodeableConcept: { coding: [{ system: 'urn:local', code: 'x', display: 'Not detected' }] } }),
    ).toBe('negative');
    expect(resultOf({ valueString: 'Reactive' })).toBe('positive');
  });

  it('an interpretation code wins over the value’s words, and a code from another system is not read', () => {
    expect(
      resultOf({
        ...withWords('Not detected'),
        interpretation: [{ coding: [{ system: INTERPRETATION, code: 'POS' }] }],
      }),
    ).toBe('positive');
    expect(resultOf({ interpretation: [{ coding: [{ system: 'urn:local', code: 'NEG' }] }] })).toBeNull();
  });

  it('words that say nothing of the result, or no value at all, give null', () => {
    expect(resultOf(withWords('See comment'))).toBeNull();
    expect(resultOf(withWords('Undetectable viral load pending'))).toBeNull();
    expect(resultOf(coded('56888-1'))).toBeNull();
  });

  it('a final, amended or corrected result counts; a preliminary or cancelled one is ignored', () => {
    const negative = { ...withWords('Not detected') };
    for (const status of ['final', 'amended', 'corrected'])
      expect(scheduleResultOf({ ...negative, status })).toEqual({ test: 'HIV-Ag-Ab', result: 'negative' });
    for (const status of ['preliminary', 'registered', 'cancelled', 'entered-in-error'])
      expect(scheduleResultOf({ ...negative, status })).toBeNull();
  });

  it('a schedule test with a value that cannot be read gives null, not a guess', () => {
    expect(scheduleResultOf({ ...coded('5196-1'), status: 'final', valueString: '0.02 IU/mL' })).toBeNull();
  });
});
