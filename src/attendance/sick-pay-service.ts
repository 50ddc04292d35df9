import type { AuditService } from '../audit/audit-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { Clock } from '../shared/clock.js';
import { londonDay, type IsoDate } from '../shared/dates.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { SickPayExtensionInput } from './attendance-schemas.js';
import type { AbsenceService } from './absence-service.js';
import { ATTENDANCE_PURPOSE as PURPOSE, type AbsenceSpell } from './attendance-types.js';
import { assertNotOwnCase } from './procedure-service.js';
import type { SickPayPosition } from './sick-pay.js';

/**
 * HR's part in sick pay (ATT-29): extensions at the force's discretion and the letter before pay
 * is reduced. The position itself is the absence's (AbsenceService.sickPayOf), as its tasks are.
 */
export class SickPayService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly absences: AbsenceService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Records sick pay extended at the force's discretion for an absence (ATT-29, App D §2, §6.5),
   * e.g. an injury attributable to duty or a clear ill-health retirement. HR only; audited.
   */
  async extendSickPay(ctx: RequestContext, absenceId: string, input: SickPayExtensionInput): Promise<SickPayPosition> {
    const { spell, person } = await this.absences.spellInReach(ctx, absenceId);
    assertNotOwnCase(ctx, person);
    if (!spell.countsAsSickness)
      // ATT-6
      throw new ValidationError({ fullPayExtraDays: 'sickPay.refusals.sicknessOnly' });
    if (input.decidedOn > this.clock.today())
      throw new ValidationError({ decidedOn: 'sickPay.refusals.decisionFuture' });
    const id = newId();
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertSickPayExtension(
        {
          id,
          absenceId,
          personId: person.id,
          organisationId: person.organisationId,
          ...input,
          decidedByUserId: ctx.actor.userId,
          createdAt: now,
        },
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'sick-pay-extension',
          entityId: id,
          subjectPersonId: person.id,
          purpose: PURPOSE,
          details: { fullPayExtraDays: input.fullPayExtraDays, halfPayExtraDays: input.halfPayExtraDays },
        },
        trx,
      );
      await this.absences.syncTasks(spell, person, londonDay(now), undefined, trx);
    });
    return this.absences.sickPayOf(spell, person, londonDay(now));
  }

  /**
   * The letter HR sends before sick pay is reduced (ATT-29, seed 003 App D §6.2): when full pay
   * ends, half pay runs to and pay stops, as of `asOf`; with the pension reminders when pay
   * is to stop. Audited as a read.
   */
  async sickPayLetter(
    ctx: RequestContext,
    absenceId: string,
    asOf: IsoDate,
  ): Promise<{
    person: Person;
    spell: AbsenceSpell;
    position: SickPayPosition;
    letterDate: IsoDate;
    organisationName: string;
    reference: string;
  }> {
    const { spell, person } = await this.absences.spellInReach(ctx, absenceId);
    if (!spell.countsAsSickness) throw new NotFoundError('letter');
    const position = await this.absences.sickPayOf(spell, person, asOf);
    const organisation = (await this.people.listOrganisations()).find((o) => o.id === person.organisationId);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-letter',
      entityId: absenceId,
      subjectPersonId: person.id,
      purpose: PURPOSE,
      details: { kind: 'sick-pay' },
    });
    return {
      person,
      spell,
      position,
      letterDate: asOf,
      organisationName: organisation?.name ?? '',
      reference: `SP-${absenceId.slice(0, 8).toUpperCase()}`,
    };
  }
}
