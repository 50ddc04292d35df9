import type { PerformerRole } from './definition-format.js';
import type { Assignee } from './pathway-types.js';

/** What assignment needs to know of the pathway and the person on it. */
export interface AssignmentContext {
  personId: string;
  lineManagerId: string | null;
  leadClinicianUserId: string | null;
}

/**
 * Whose list a step goes on when it opens: an OH clinician's step to the pathway's lead
 * clinician (else the OH clinicians' queue), a line-manager step to the person's manager
 * (else HR), the person's own steps to them, and administrative and HR steps to those queues.
 */
export function assigneeFor(performer: PerformerRole, ctx: AssignmentContext): Assignee {
  switch (performer) {
    case 'oh-clinician':
      return ctx.leadClinicianUserId ? { userId: ctx.leadClinicianUserId } : { role: 'oh-clinician' };
    case 'line-manager':
      return ctx.lineManagerId ? { personId: ctx.lineManagerId } : { role: 'hr-manager' };
    case 'staff':
      return { personId: ctx.personId };
    default:
      return { role: performer };
  }
}

/**
 * Who a step moves up to once it is overdue by its escalation period (issue 4 §4): a named
 * clinician's step to the OH clinicians' queue (where it shows as escalated to every OH
 * clinician); a line manager's to their own manager (else HR); the person's own step to the
 * OH clinician responsible, who follows it up; a queue's step stays in the queue, marked
 * escalated. `managerOf` is the manager of a line manager.
 */
export function escalationTarget(
  current: Assignee | null,
  step: { personId: string },
  ctx: AssignmentContext & { managerOfAssignee: string | null },
): Assignee {
  if (!current) return { role: 'oh-clinician' };
  if ('userId' in current) return { role: 'oh-clinician' };
  if ('personId' in current) {
    if (current.personId === step.personId)
      return ctx.leadClinicianUserId ? { userId: ctx.leadClinicianUserId } : { role: 'oh-clinician' };
    return ctx.managerOfAssignee ? { personId: ctx.managerOfAssignee } : { role: 'hr-manager' };
  }
  return current;
}
