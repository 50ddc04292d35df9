import { describe, expect, it } from 'vitest';
import { parseSearch, searchColumns } from './fhir-search.js';

describe('partner-facing search parameters', () => {
  it('when an identifier is given as system|value, |value or value, then each is understood', () => {
    expect(parseSearch('ServiceRequest', { identifier: 'https://x|1,|2,3' }).identifiers).toEqual([
      { system: 'https://x', value: '1' },
      { value: '2' },
      { value: '3' },
    ]);
  });

  it('when _lastUpdated has a prefix or is a day, then it becomes bounds', () => {
    expect(parseSearch('Task', { _lastUpdated: ['ge2027-01-01', 'lt2027-02-01T00:00:00Z'] }).lastUpdated).toEqual([
      { op: '>=', at: new Date('2027-01-01T00:00:00Z') },
      { op: '<', at: new Date('2027-02-01T00:00:00Z') },
    ]);
    expect(parseSearch('Task', { _lastUpdated: '2027-01-01' }).lastUpdated).toEqual([
      { op: '>=', at: new Date('2027-01-01T00:00:00Z') },
      { op: '<', at: new Date('2027-01-02T00:00:00Z') },
    ]);
  });

  it('when _lastUpdated is a summer day, then it is that UK day, from midnight BST to midnight BST (One UK day)', () => {
    expect(parseSearch('Task', { _lastUpdated: '2027-07-01' }).lastUpdated).toEqual([
      { op: '>=', at: new Date('2027-06-30T23:00:00Z') },
      { op: '<', at: new Date('2027-07-01T23:00:00Z') },
    ]);
    // The day the clocks go back is 25 hours long.
    expect(parseSearch('Task', { _lastUpdated: 'gt2027-10-31' }).lastUpdated).toEqual([
      { op: '>=', at: new Date('2027-11-01T00:00:00Z') },
    ]);
  });

  it('when a reference is a bare id, then it is read as the parameter’s target type', () => {
    expect(parseSearch('Task', { focus: 'abc' }).references).toEqual(['ServiceRequest/abc']);
    expect(() => parseSearch('Task', { focus: 'Patient/abc' })).toThrow('ServiceRequest/id');
  });

  it('when a parameter is unknown, has a modifier, or a value is out of range, then the search is refused naming it', () => {
    expect(() => parseSearch('Patient', { name: 'Riley' })).toThrow(
      expect.objectContaining({ code: 'unsupported-search-parameter' }),
    );
    expect(() => parseSearch('Patient', { 'identifier:exact': 'x' })).toThrow(
      expect.objectContaining({ code: 'unsupported-search-parameter' }),
    );
    expect(() => parseSearch('Patient', { _count: '1000' })).toThrow(
      expect.objectContaining({ code: 'invalid-search' }),
    );
    expect(() => parseSearch('Patient', { _lastUpdated: 'yesterday' })).toThrow(
      expect.objectContaining({ code: 'invalid-search' }),
    );
    expect(() => parseSearch('Patient', { constructor: 'x' })).toThrow(
      expect.objectContaining({ code: 'unsupported-search-parameter' }),
    );
  });

  it('when a resource is stored, then its identifier, status and searched reference are its columns', () => {
    expect(
      searchColumns({
        resourceType: 'Task',
        status: 'accepted',
        intent: 'order',
        identifier: [{ system: 's', value: 'v' }],
        focus: { reference: 'ServiceRequest/1' },
      }),
    ).toEqual({ identifierSystem: 's', identifierValue: 'v', status: 'accepted', reference: 'ServiceRequest/1' });
    expect(
      searchColumns({
        resourceType: 'QuestionnaireResponse',
        status: 'completed',
        identifier: { system: 's', value: 'q' },
        subject: { reference: 'Patient/p' },
      }),
    ).toMatchObject({ identifierValue: 'q', reference: 'Patient/p' });
  });
});
