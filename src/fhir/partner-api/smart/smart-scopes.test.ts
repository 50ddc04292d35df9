import { describe, expect, it } from 'vitest';
import { grantScopes, parseScope, scopesAllow } from './smart-scopes.js';

describe('SMART system scopes (FHIR-8)', () => {
  it('when v2 letters are given in any order, then each is understood once; unknown or repeated letters are not a scope', () => {
    expect([...parseScope('system/Task.rus')!.access].sort()).toEqual(['r', 's', 'u']);
    expect([...parseScope('system/Task.cruds')!.access].sort()).toEqual(['c', 'd', 'r', 's', 'u']);
    expect(parseScope('system/Task.rr')).toBeNull();
    expect(parseScope('system/Task.x')).toBeNull();
    expect(parseScope('patient/Task.r')).toBeNull();
    expect(parseScope('system/task.r')).toBeNull();
  });

  it('when v1 words are given, then read is r and s, write is c, u and d', () => {
    expect(scopesAllow(['system/ServiceRequest.read'], 'ServiceRequest', 's')).toBe(true);
    expect(scopesAllow(['system/ServiceRequest.read'], 'ServiceRequest', 'u')).toBe(false);
    expect(scopesAllow(['system/Task.write'], 'Task', 'u')).toBe(true);
  });

  it('when a token has Task.rs only, then it cannot update a Task', () => {
    expect(scopesAllow(['system/Task.rs'], 'Task', 'u')).toBe(false);
    expect(scopesAllow(['system/*.rs'], 'Task', 'r')).toBe(true);
  });

  it('when more is asked for than the client is registered for, then only the registered part is granted', () => {
    expect(
      grantScopes(['system/Task.cruds', 'system/Practitioner.r'], ['system/Task.rs', 'system/ServiceRequest.rs']),
    ).toEqual(['system/Task.rs']);
    expect(grantScopes(['system/*.r'], ['system/Task.rus', 'system/ServiceRequest.rs']).sort()).toEqual([
      'system/ServiceRequest.r',
      'system/Task.r',
    ]);
    expect(grantScopes(['system/Patient.r'], ['system/Task.rs'])).toEqual([]);
  });
});
