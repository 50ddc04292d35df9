import type { Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { inboundTask, PLACE_PART_LENGTH } from './inbound-schemas.js';
import { applyTaskUpdate, APPOINTMENT_PLACE_LENGTH, BUSINESS_STATUS_SYSTEM, progressOf } from './task-progress.js';

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

  it('when the partner books and says where, then the Task keeps the location and the Location it contains', () => {
    const accepted: Task = { ...ours, status: 'accepted' };
    const place = {
      contained: [{ resourceType: 'Location' as const, id: 'clinic', name: 'Outpatients Department' }],
      location: { reference: '#clinic', display: 'Physiotherapy' },
    };
    const result = applyTaskUpdate(accepted, { ...accepted, status: 'in-progress', businessStatus: booked, ...place });
    expect(result).toEqual({ task: { ...accepted, status: 'in-progress', businessStatus: booked, ...place } });
    // Later updates without them take the place off, as with every field the partner may change.
    const later = applyTaskUpdate((result as { task: Task }).task, { ...accepted, status: 'completed' });
    expect((later as { task: Task }).task).not.toHaveProperty('location');
    expect((later as { task: Task }).task).not.toHaveProperty('contained');
  });

  it('when the location gives no place in words and references no contained Location, then it is refused', () => {
    const accepted: Task = { ...ours, status: 'accepted' };
    for (const location of [{ reference: 'Location/elsewhere' }, { reference: '#missing' }, { display: '  ' }])
      expect(applyTaskUpdate(accepted, { ...accepted, status: 'in-progress', location })).toMatchObject({
        problem: { code: 'invalid-location' },
      });
    expect(
      applyTaskUpdate(accepted, {
        ...accepted,
        status: 'in-progress',
        location: { reference: 'Location/x', display: 'Ward 4' },
      }),
    ).toHaveProperty('task');
  });
});

describe('where the appointment is (issue 15 §8)', () => {
  const bookedAt = {
    status: 'in-progress' as const,
    businessStatus: booked,
    executionPeriod: { start: '2027-01-12T10:30:00Z' },
  };

  it('when the location has only its display, then the place is the display', () => {
    expect(progressOf({ ...bookedAt, location: { display: '  Physiotherapy,  Westshire General Hospital ' } })).toEqual(
      {
        status: 'booked',
        reason: null,
        appointmentAt: '2027-01-12T10:30:00Z',
        appointmentPlace: 'Physiotherapy, Westshire General Hospital',
      },
    );
  });

  it('when the location references a contained Location, then the place is the display, its name and address lines, each once', () => {
    const step = progressOf({
      ...bookedAt,
      contained: [
        { resourceType: 'Location', id: 'other', name: 'Not this one' },
        {
          resourceType: 'Location',
          id: 'opd',
          name: 'Outpatients Department',
          address: { line: ['Westshire General Hospital', 'Hospital Road'], city: 'Westshire', postalCode: 'WS1 2AB' },
        },
      ],
      location: { reference: '#opd', display: 'Physiotherapy' },
    });
    expect(step?.appointmentPlace).toBe(
      'Physiotherapy, Outpatients Department, Westshire General Hospital, Hospital Road, Westshire, WS1 2AB',
    );
    // The display repeating the Location's name is said once.
    expect(
      progressOf({
        ...bookedAt,
        contained: [
          { resourceType: 'Location', id: 'opd', name: 'Outpatients', address: { text: 'Westshire General' } },
        ],
        location: { reference: '#opd', display: 'OUTPATIENTS' },
      })?.appointmentPlace,
    ).toBe('OUTPATIENTS, Westshire General');
    // A Location the reference does not name is not read.
    expect(
      progressOf({
        ...bookedAt,
        contained: [{ resourceType: 'Location', id: 'a', name: 'Ward 1' }],
        location: { display: 'Ward 2' },
      })?.appointmentPlace,
    ).toBe('Ward 2');
  });

  it('when the place would be longer than we keep, then it is cut at a word with an ellipsis', () => {
    const line = 'Building '.repeat(22).trim();
    const place = progressOf({
      ...bookedAt,
      contained: [{ resourceType: 'Location', id: 'l', name: 'Clinic', address: { line: [line, `East ${line}`] } }],
      location: { reference: '#l' },
    })?.appointmentPlace;
    expect(place!.length).toBeLessThanOrEqual(APPOINTMENT_PLACE_LENGTH);
    expect(place).toMatch(/^Clinic, Building .* Building…$/);
  });

  it('when a step has no appointment, then it has no place either', () => {
    expect(progressOf({ status: 'completed', location: { display: 'Ward 4' } })?.appointmentPlace).toBeNull();
    expect(progressOf({ ...bookedAt })?.appointmentPlace).toBeNull();
    expect(
      progressOf({ ...bookedAt, businessStatus: { text: 'did-not-attend' }, location: { display: 'Ward 4' } }),
    ).toMatchObject({ status: 'did-not-attend', appointmentPlace: 'Ward 4' });
  });

  it('when a partner sends a place part longer than we take, or contains anything but a Location, then the shape is refused', () => {
    const task = { resourceType: 'Task', id: 't1', status: 'in-progress' };
    expect(inboundTask.safeParse({ ...task, location: { display: 'x'.repeat(PLACE_PART_LENGTH) } }).success).toBe(true);
    expect(inboundTask.safeParse({ ...task, location: { display: 'x'.repeat(PLACE_PART_LENGTH + 1) } }).success).toBe(
      false,
    );
    const location = (extra: object) => ({ resourceType: 'Location', id: 'l', ...extra });
    expect(inboundTask.safeParse({ ...task, contained: [location({ name: 'Clinic' })] }).success).toBe(true);
    for (const bad of [
      location({ name: 'x'.repeat(PLACE_PART_LENGTH + 1) }),
      location({ address: { line: ['y'.repeat(PLACE_PART_LENGTH + 1)] } }),
      location({ address: { line: Array(6).fill('Road') } }),
      { resourceType: 'Patient', id: 'p' },
    ])
      expect(inboundTask.safeParse({ ...task, contained: [bad] }).success, JSON.stringify(bad).slice(0, 60)).toBe(
        false,
      );
    expect(inboundTask.safeParse({ ...task, contained: Array(6).fill(location({})) }).success).toBe(false);
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
      appointmentPlace: null,
    });
    expect(
      progressOf({ status: 'in-progress', businessStatus: booked, executionPeriod: { start: '2027-01-12T10:30:00Z' } }),
    ).toEqual({ status: 'booked', reason: null, appointmentAt: '2027-01-12T10:30:00Z', appointmentPlace: null });
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
