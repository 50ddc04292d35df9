import type { Location, Task } from '@medplum/fhirtypes';

/** FHIR-4: every Task status R4 defines. */
export const TASK_STATUSES = [
  'draft',
  'requested',
  'received',
  'accepted',
  'rejected',
  'ready',
  'cancelled',
  'in-progress',
  'on-hold',
  'failed',
  'completed',
  'entered-in-error',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Our code system for a referral's local progress at the partner (FHIR-4 `businessStatus`). */
export const BUSINESS_STATUS_SYSTEM = 'https://bluelightpathways.org.uk/CodeSystem/referral-business-status';
export const BUSINESS_STATUSES = ['booked', 'attended', 'did-not-attend', 'waiting-list', 'discharged'] as const;
export type BusinessStatus = (typeof BUSINESS_STATUSES)[number];

/** A referral's journey at the partner, as clinicians and the person see it (issue 6 §5). */
export const PROGRESS_STATUSES = [
  'received',
  'accepted',
  'rejected',
  'in-progress',
  'booked',
  'attended',
  'did-not-attend',
  'on-hold',
  'completed',
  'cancelled',
  'failed',
] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

const FINAL: ReadonlySet<TaskStatus> = new Set(['rejected', 'cancelled', 'failed', 'completed', 'entered-in-error']);

/** Where a Task may go from each status (the FHIR task state machine); a partner may also restate the status it is in (to change businessStatus). */
const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  draft: ['requested', 'entered-in-error'],
  requested: ['received', 'accepted', 'rejected', 'cancelled', 'entered-in-error'],
  received: ['accepted', 'rejected', 'cancelled', 'entered-in-error'],
  accepted: ['ready', 'in-progress', 'on-hold', 'cancelled', 'failed', 'completed', 'entered-in-error'],
  ready: ['in-progress', 'on-hold', 'cancelled', 'failed', 'completed', 'entered-in-error'],
  'in-progress': ['on-hold', 'cancelled', 'failed', 'completed', 'entered-in-error'],
  'on-hold': ['in-progress', 'cancelled', 'failed', 'entered-in-error'],
  rejected: [],
  cancelled: [],
  failed: [],
  completed: ['entered-in-error'],
  'entered-in-error': [],
};

/** What a partner may change in a Task it owns; everything else must stay as we wrote it. */
const PARTNER_FIELDS = [
  'status',
  'statusReason',
  'businessStatus',
  'executionPeriod',
  'note',
  'lastModified',
  'output',
  // Where the appointment is (issue 15 §8): a Location reference with its display, or one contained in the Task.
  'location',
  'contained',
] as const;
const IGNORED = new Set(['meta', 'text', 'id', 'resourceType']);

export type TaskUpdateProblem =
  | { code: 'invalid-status'; message: string }
  | { code: 'illegal-transition'; message: string }
  | { code: 'reason-required'; message: string }
  | { code: 'immutable-field'; message: string }
  | { code: 'invalid-business-status'; message: string }
  | { code: 'invalid-location'; message: string };

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The businessStatus code a Task carries, from our code system or as plain text. */
export function businessStatusOf(task: Pick<Task, 'businessStatus'>): string | null {
  const bs = task.businessStatus;
  if (!bs) return null;
  return (
    bs.coding?.find((c) => c.system === BUSINESS_STATUS_SYSTEM)?.code ??
    bs.coding?.[0]?.code ??
    bs.text?.trim().toLowerCase() ??
    null
  );
}

/**
 * A partner's change to the Task of one of our referrals (FHIR-4), checked against the one we
 * hold: a status from the R4 set reached by a legal transition, a reason when it rejects, a
 * businessStatus we know, and nothing else changed (who it is for, what it is about, who owns it).
 * Returns the Task to store, or the problem.
 */
export function applyTaskUpdate(current: Task, proposed: Task): { task: Task } | { problem: TaskUpdateProblem } {
  if (!(TASK_STATUSES as readonly string[]).includes(proposed.status))
    return {
      problem: { code: 'invalid-status', message: `Task.status must be one of ${TASK_STATUSES.join(', ')} (FHIR-4).` },
    };
  const from = current.status as TaskStatus;
  const to = proposed.status as TaskStatus;
  if (to !== from && !NEXT[from].includes(to))
    return { problem: { code: 'illegal-transition', message: `A task that is ${from} cannot become ${to}.` } };
  if (to === from && FINAL.has(from))
    return { problem: { code: 'illegal-transition', message: `This task is ${from}; it cannot change any more.` } };
  if (to === 'rejected' && !proposed.statusReason?.text?.trim() && !proposed.statusReason?.coding?.length)
    return {
      problem: {
        code: 'reason-required',
        message: 'A rejected task needs its statusReason (why the referral cannot be accepted).',
      },
    };
  const business = businessStatusOf(proposed);
  if (business !== null && !(BUSINESS_STATUSES as readonly string[]).includes(business))
    return {
      problem: {
        code: 'invalid-business-status',
        message: `Task.businessStatus must be one of ${BUSINESS_STATUSES.join(', ')} (${BUSINESS_STATUS_SYSTEM}).`,
      },
    };
  const location = proposed.location;
  if (location && !location.display?.trim() && !containedLocation(proposed)) {
    return {
      problem: {
        code: 'invalid-location',
        message:
          'Task.location needs its display (the place in words) or a reference (#id) to a Location contained in the Task.',
      },
    };
  }
  const keys = new Set([...Object.keys(current), ...Object.keys(proposed)]);
  for (const key of keys) {
    if (IGNORED.has(key) || (PARTNER_FIELDS as readonly string[]).includes(key)) continue;
    if (
      canonical((current as unknown as Record<string, unknown>)[key]) !==
      canonical((proposed as unknown as Record<string, unknown>)[key])
    )
      return {
        problem: {
          code: 'immutable-field',
          message: `Task.${key.slice(0, 40)} is set by the referrer and cannot be changed.`,
        },
      };
  }
  const task: Task = { ...current };
  for (const f of PARTNER_FIELDS) {
    if (proposed[f] === undefined) delete task[f];
    else (task as unknown as Record<string, unknown>)[f] = proposed[f];
  }
  return { task };
}

/** The longest appointment place kept, in characters: a longer one is cut short at a word with an ellipsis. */
export const APPOINTMENT_PLACE_LENGTH = 300;

/** The Location a Task's location references among its contained resources (`#id`), if it does. */
function containedLocation(task: Pick<Task, 'location' | 'contained'>): Location | null {
  const ref = task.location?.reference;
  if (!ref?.startsWith('#')) return null;
  const found = task.contained?.find((r) => r.resourceType === 'Location' && r.id === ref.slice(1));
  return (found as Location | undefined) ?? null;
}

/**
 * Where the appointment is, in words (issue 15 §8): the location's display, then the name and address
 * of the Location it references among the Task's contained resources, each part once, joined with
 * commas. Each part is bounded at the edge (inbound-schemas.ts refuses a longer one); the whole is
 * cut to APPOINTMENT_PLACE_LENGTH characters. Null when the Task says nothing of a place.
 */
export function appointmentPlaceOf(task: Pick<Task, 'location' | 'contained'>): string | null {
  const loc = containedLocation(task);
  const address = loc?.address;
  const lines = address?.line?.length ? address.line : address?.text ? [address.text] : [];
  const parts: string[] = [];
  for (const part of [task.location?.display, loc?.name, ...lines, address?.city, address?.postalCode]) {
    const words = part?.replace(/\s+/g, ' ').trim();
    if (words && !parts.some((p) => p.toLowerCase() === words.toLowerCase())) parts.push(words);
  }
  if (!parts.length) return null;
  const place = parts.join(', ');
  if (place.length <= APPOINTMENT_PLACE_LENGTH) return place;
  const cut = place.slice(0, APPOINTMENT_PLACE_LENGTH - 1);
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > APPOINTMENT_PLACE_LENGTH / 2 ? cut.slice(0, atWord) : cut).replace(/[\s,]+$/, '')}…`;
}

/** A step of a referral's journey at the partner, as a Task's state means it. */
export interface ProgressStep {
  status: ProgressStatus;
  reason: string | null;
  appointmentAt: string | null;
  /** Where the appointment is, in words; only with an appointment (booked, did not attend). */
  appointmentPlace: string | null;
}

/** The step of the journey a Task's state means (null: nothing to show, e.g. still requested). */
export function progressOf(
  task: Pick<Task, 'status' | 'businessStatus' | 'statusReason' | 'executionPeriod' | 'location' | 'contained'>,
): ProgressStep | null {
  const reason =
    task.statusReason?.text ?? task.statusReason?.coding?.[0]?.display ?? task.statusReason?.coding?.[0]?.code ?? null;
  const business = businessStatusOf(task);
  const of = (status: ProgressStatus, extra: { reason?: string | null } = {}): ProgressStep => ({
    status,
    reason: extra.reason ?? null,
    appointmentAt: null,
    appointmentPlace: null,
  });
  // The appointment: its time and place go together, wherever one is shown.
  const appointment = (status: ProgressStatus): ProgressStep => ({
    ...of(status),
    appointmentAt: task.executionPeriod?.start ?? null,
    appointmentPlace: appointmentPlaceOf(task),
  });
  switch (task.status) {
    case 'received':
      return of('received');
    case 'accepted':
    case 'ready':
      return business === 'booked' ? appointment('booked') : of('accepted');
    case 'rejected':
      return of('rejected', { reason });
    case 'in-progress':
      if (business === 'booked') return appointment('booked');
      if (business === 'attended') return of('attended');
      if (business === 'did-not-attend') return appointment('did-not-attend');
      return of('in-progress');
    case 'on-hold':
      return of('on-hold', { reason });
    case 'completed':
      return of('completed');
    case 'cancelled':
      return of('cancelled', { reason });
    case 'failed':
      return of('failed', { reason });
    default:
      return null;
  }
}
