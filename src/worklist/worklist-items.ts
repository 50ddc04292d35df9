import { z } from 'zod';
import type { WorklistSteps } from '../pathways/pathway-service.js';
import type { Task } from './worklist-types.js';

/** A task's id in a path (the API's and the page's). */
export const taskParam = z.object({ id: z.uuid() }).strict();

/** A task as the API gives it; the page adds its words and where its work is done. */
export function taskJson(task: Task) {
  return {
    id: task.id,
    subjectPersonId: task.subjectPersonId,
    sourceType: task.sourceType,
    sourceId: task.sourceId,
    code: task.code,
    sequence: task.sequence,
    rule: task.rule,
    dueDate: task.dueDate,
    overdueAfter: task.overdueAfter,
    status: task.status,
    escalationLevel: task.escalationLevel,
  };
}

type ListedStep = WorklistSteps['steps'][number];

/** Where a pathway step stands at `asOf`: not yet due, due, or past its deadline. */
export function stepState(step: ListedStep, asOf: Date): 'upcoming' | 'due' | 'overdue' {
  if (step.dueBy && step.dueBy < asOf) return 'overdue';
  return step.dueFrom && step.dueFrom > asOf ? 'upcoming' : 'due';
}

/** A step on a list; which pathway it belongs to is for OH only (CONF-1). */
export function stepJson(step: ListedStep, asOf: Date, oh: boolean) {
  return {
    id: step.id,
    pathwayId: step.pathwayId,
    personId: step.personId,
    pathway: oh ? step.definitionCode : null,
    code: step.stepCode,
    title: step.title,
    dueFrom: step.dueFrom?.toISOString() ?? null,
    dueBy: step.dueBy?.toISOString() ?? null,
    state: stepState(step, asOf),
    escalationLevel: step.escalationLevel,
  };
}
