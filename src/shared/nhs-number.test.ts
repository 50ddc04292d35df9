import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsCheckDigit } from './nhs-number.js';

describe('NHS number modulus 11 check (FHIR-1)', () => {
  it('when the number is the published test number 9000000009, then it is valid', () => {
    expect(isValidNhsNumber('9000000009')).toBe(true);
  });
  it('when spaces separate the groups, then it is still valid', () => {
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
  });
  it('when the check digit is wrong, then it is invalid', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
  });
  it('when the check would be 10, then no number can be valid', () => {
    // 1000000010's first nine digits weigh to a remainder of 1, so the check is 10.
    expect(nhsCheckDigit('100000001')).toBeNull();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`100000001${d}`)).toBe(false);
  });
  it('when the length or characters are wrong, then it is invalid', () => {
    expect(isValidNhsNumber('900000000')).toBe(false);
    expect(isValidNhsNumber('90000000099')).toBe(false);
    expect(isValidNhsNumber('90000000O9')).toBe(false);
  });
});
