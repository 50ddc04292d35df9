import type { Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { applyTaskUpdate, BUSINESS_STATUS_SYSTEM, progressOf } from './task-progress.js';

const ours: Task = {
  resourceType: 'Task',
  id: 't1',
  status: 'requested',
  intent: 'order',
  focus: { reference: 'ServiceRequest/s1' },
  for: { reference: 'Patient/p1' },
  owner: { display: 'Board' },
  authoredOn: '2027-01-04T09:00:00Z',
  meta: { security: [{ code: 'R' }] },
};
const booked = { coding: [{ system: BUSINESS_STATUS_SYSTEM, code: 'booked' }] };

describe('Task updates from a partner (FHIR-4)', () => {
  it('when the partner accepts, then the status changes and nothing it may not touch does', () => {
    const result = applyTaskUpdate(ours, { ...ours, status: 'accepted', meta: undefined });
    expect(result).toEqual({ task: { ...ours, status: 'accepted' } });
  });

  it('when a Task goes backwards or a finished one changes, then the transition is refused', () => {
    expect(applyTaskUpdate({ ...ours, status: 'accepted' }, { ...ours, status: 'requested' })).toMatchObject({
      problem: { code: 'illegal-transition' },
    });
    expect(
      applyTaskUpdate({ ...ours, status: 'completed' }, { ...ours, status: 'completed', note: [{ text: 'x' }] }),
    ).toMatchObject({ problem: { code: 'illegal-transition' } });
    expect(applyTaskUpdate(ours, { ...ours, status: 'done' as Task['status'] })).toMatchObject({
      problem: { code: 'invalid-status' },
    });
  });

  it('when the partner rejects without a reason, then it must give one', () => {
    expect(applyTaskUpdate(ours, { ...ours, status: 'rejected' })).toMatchObject({
      problem: { code: 'reason-required' },
    });
    expect(
      applyTaskUpdate(ours, { ...ours, status: 'rejected', statusReason: { text: 'Outside our catchment' } }),
    ).toHaveProperty('task');
  });

  it('when the partner changes who the Task is for, what it is about or drops a field we set, then it is refused', () => {
    expect(applyTaskUpdate(ours, { ...ours, for: { reference: 'Patient/other' } })).toMatchObject({
      problem: { code: 'immutable-field', message: expect.stringContaining('Task.for') },
    });
    const { owner: _owner, ...withoutOwner } = ours;
    expect(applyTaskUpdate(ours, withoutOwner as Task)).toMatchObject({ problem: { code: 'immutable-field' } });
  });

  it('when the businessStatus is not one we know, then it is refused', () => {
    expect(
      applyTaskUpdate(
        { ...ours, status: 'accepted' },
        { ...ours, status: 'in-progress', businessStatus: { text: 'teleported' } },
      ),
    ).toMatchObject({ problem: { code: 'invalid-business-status' } });
  });
});

describe('the journey a Task means (issue 6 §5)', () => {
  it('when a Task moves on, then each state is a step of the journey', () => {
    expect(progressOf({ status: 'requested' })).toBeNull();
    expect(progressOf({ status: 'received' })).toMatchObject({ status: 'received' });
    expect(progressOf({ status: 'rejected', statusReason: { text: 'Not our service' } })).toEqual({
      status: 'rejected',
      reason: 'Not our service',
      appointmentAt: null,
    });
    expect(
      progressOf({ status: 'in-progress', businessStatus: booked, executionPeriod: { start: '2027-01-12T10:30:00Z' } }),
    ).toEqual({ status: 'booked', reason: null, appointmentAt: '2027-01-12T10:30:00Z' });
    expect(progressOf({ status: 'in-progress', businessStatus: { text: 'Did-not-attend' } })).toMatchObject({
      status: 'did-not-attend',
    });
    expect(
      progressOf({
        status: 'in-progress',
        businessStatus: { coding: [{ system: BUSINESS_STATUS_SYSTEM, code: 'attended' }] },
      }),
    ).toMatchObject({ status: 'attended' });
    expect(progressOf({ status: 'completed' })).toMatchObject({ status: 'completed' });
  });
});
