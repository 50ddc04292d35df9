import type { AuditService } from '../audit/audit-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { Clock } from '../shared/clock.js';
import { londonDay } from '../shared/dates.js';
import { ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { SystemContext } from '../shared/request-context.js';
import type { ParsedImportRow, RejectedImportRow } from './absence-import.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AbsenceService } from './absence-service.js';
import { asSaved, ATTENDANCE_PURPOSE as PURPOSE, type AbsenceSpell, type NewAbsenceSpell } from './attendance-types.js';

/** Spells from an HR system's file (issue 3 §9), checked as a recorded spell is. */
export class AbsenceImportService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly absences: AbsenceService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Imports spells from an HR system (issue 3 §9): every row is checked first (person, fields,
   * overlaps with recorded spells and with earlier rows of the file). Valid rows are saved in
   * one transaction, or — with `allOrNothing` — nothing is saved if any row is bad. A row
   * already imported (same organisation, staff number and start date) is skipped, so
   * re-importing a file creates no duplicates.
   */
  async importAbsences(
    ctx: SystemContext,
    input: {
      organisationId: string;
      rows: readonly ParsedImportRow[];
      allOrNothing: boolean;
      onProgress?: (done: number, total: number) => void;
    },
  ): Promise<{ imported: number; duplicates: number; rejects: RejectedImportRow[] }> {
    const people = await this.people.byStaffNumbersForSystem(input.organisationId, [
      ...new Set(input.rows.map((r) => r.staffNumber)),
    ]);
    const existingKeys = await this.repository.existingImportKeys(
      input.rows.map((r) => importKey(input.organisationId, r.staffNumber, r.absence.startDate)),
    );
    const rejects: RejectedImportRow[] = [];
    const accepted: Array<{ spell: NewAbsenceSpell; person: Person }> = [];
    const acceptedByPerson = new Map<string, NewAbsenceSpell[]>();
    let duplicates = 0;
    const recorded = new Map<string, AbsenceSpell[]>();
    for (const [i, row] of input.rows.entries()) {
      input.onProgress?.(i + 1, input.rows.length);
      const person = people.get(row.staffNumber);
      if (!person) {
        rejects.push({ line: row.line, reason: `staff_number: no person ${row.staffNumber} in this organisation` });
        continue;
      }
      const key = importKey(input.organisationId, row.staffNumber, row.absence.startDate);
      if (existingKeys.has(key)) {
        duplicates += 1;
        continue;
      }
      const spell: NewAbsenceSpell = {
        id: newId(),
        personId: person.id,
        organisationId: person.organisationId,
        startDate: row.absence.startDate,
        endDate: row.absence.endDate,
        reasonCategory: row.absence.reasonCategory,
        ohReasonText: null,
        dutyRelated: row.absence.dutyRelated,
        injuryOnDuty: row.absence.injuryOnDuty,
        accidentReportDueAt: null,
        pregnancyRelated: row.absence.pregnancyRelated,
        disabilityRelated: row.absence.disabilityRelated,
        countsAsSickness: row.absence.notSicknessKind ? false : row.absence.countsAsSickness,
        notSicknessKind: row.absence.notSicknessKind ?? null,
        certification: row.absence.certification,
        certificateFrom: null,
        certificateTo: null,
        expectedReturnDate: row.absence.expectedReturnDate ?? null,
        importKey: key,
        recordedByUserId: null,
      };
      spell.accidentReportDueAt = await this.absences.accidentReportDueAt(person, spell);
      if (!recorded.has(person.id)) recorded.set(person.id, await this.repository.forPerson(person.id));
      const overlaps = [...recorded.get(person.id)!, ...(acceptedByPerson.get(person.id) ?? [])].filter(
        (o) => o.startDate <= (spell.endDate ?? '9999-12-31') && (o.endDate ?? '9999-12-31') >= spell.startDate,
      );
      try {
        this.absences.checkSpell(null, person, spell, false, overlaps);
      } catch (error) {
        if (error instanceof ValidationError && error.fields) {
          rejects.push({
            line: row.line,
            reason: Object.entries(error.fields)
              .map(([f, m]) => `${f}: ${m}`)
              .join('; '),
          });
          continue;
        }
        throw error;
      }
      existingKeys.add(key);
      accepted.push({ spell, person });
      acceptedByPerson.set(person.id, [...(acceptedByPerson.get(person.id) ?? []), spell]);
    }
    if (input.allOrNothing && rejects.length > 0) return { imported: 0, duplicates, rejects };
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertMany(
        accepted.map((a) => a.spell),
        now,
        trx,
      );
      await this.audit.record(
        ctx,
        accepted.map(({ spell }) => ({
          action: 'create' as const,
          entityType: 'absence-spell',
          entityId: spell.id,
          subjectPersonId: spell.personId,
          purpose: PURPOSE,
          details: { imported: true },
        })),
        trx,
      );
      // Each spell's milestone tasks and trigger review commit with the import (issue 14 §12).
      const today = londonDay(now);
      for (const { spell, person } of accepted)
        await this.absences.syncTasks(asSaved(spell, now, now), person, today, undefined, trx);
    });
    return { imported: accepted.length, duplicates, rejects };
  }
}

/** The key that makes re-importing the same spell a no-op. */
function importKey(organisationId: string, staffNumber: string, startDate: string): string {
  return `${organisationId}:${staffNumber}:${startDate}`;
}
