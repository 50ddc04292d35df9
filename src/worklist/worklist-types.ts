import type { IsoDate } from '../shared/dates.js';
/** A task on someone's worklist. */
export interface Task {
  id: string;
  organisationId: string;
  subjectPersonId: string;
  sourceType: string;
  sourceId: string;
  code: string;
  sequence: number;
  rule: string | null;
  dueDate: IsoDate;
  /** When set, the task is overdue only after this date rather than after its due date. */
  overdueAfter: IsoDate | null;
  assigneePersonId: string | null;
  assigneeRole: string | null;
  status: 'open' | 'completed' | 'cancelled';
  escalationLevel: number;
  escalatedAt: Date | null;
  completedAt: Date | null;
  completedByUserId: string | null;
  completionNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a capability says a task should be; the worklist creates it once and keeps its state. */
export interface TaskSpec {
  organisationId: string;
  subjectPersonId: string;
  sourceType: string;
  sourceId: string;
  code: string;
  sequence: number;
  rule: string | null;
  dueDate: IsoDate;
  /** The last day before the task counts as overdue, when later than its due date. */
  overdueAfter?: IsoDate;
  assignee: { personId: string } | { role: string };
}

/** The last day a task can be done before it is overdue. */
export function deadlineOf(task: Pick<Task, 'dueDate' | 'overdueAfter'>): IsoDate {
  return task.overdueAfter ?? task.dueDate;
}
