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
  dueDate: string;
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
  dueDate: string;
  assignee: { personId: string } | { role: string };
}
