import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import {
  mayChangeProtectedIdentity,
  organisationReach,
  personHiddenFields,
  personScope,
  personWriteScope,
} from '../auth/access-policy.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import { isUniqueViolation } from '../db/knex.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { PeopleRepository } from './people-repository.js';
import {
  DEFAULT_WORKING_PATTERN,
  type CreatePersonInput,
  type CreateUnitInput,
  type ProtectedIdentityInput,
  type SearchPeopleInput,
  type UpdatePersonInput,
} from './people-schemas.js';
import type { NewPerson, Organisation, Person, PersonPage, Unit } from './people-types.js';

/** A workforce record as one actor may see it: fields they may not see are absent. */
export type PersonView = Omit<
  Person,
  'dateOfBirth' | 'nhsNumber' | 'workEmail' | 'personalEmail' | 'createdAt' | 'updatedAt'
> & {
  dateOfBirth?: string | null;
  nhsNumber?: string | null;
  workEmail?: string | null;
  personalEmail?: string | null;
  createdAt: string;
  updatedAt: string;
};

/** The OH clinicians' task when a protected identity is lifted (issue 14 defect 6, CONF-3). */
export const PROTECTED_IDENTITY_LIFTED_TASK = 'protected-identity-lifted';

/** A change of the protected-identity flag, allowed and with its reason. */
interface ProtectedIdentityChange {
  to: boolean;
  reason: string;
}

/** Organisations, units and workforce records: use cases. Access is decided by the access policy, every read audited. */
export class PeopleService {
  constructor(
    private readonly repository: PeopleRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** Where OH hear that a protected identity was lifted. */
    private readonly worklist: Pick<WorklistService, 'sync'>,
  ) {}

  /** Projects a person for the actor (Caldicott: minimum necessary; CONF-3). */
  viewFor(ctx: RequestContext, person: Person): PersonView {
    // Built field by field: this runs for every row of every search.
    const view: PersonView = {
      id: person.id,
      organisationId: person.organisationId,
      staffNumber: person.staffNumber,
      collarNumber: person.collarNumber,
      givenName: person.givenName,
      familyName: person.familyName,
      dateOfBirth: person.dateOfBirth,
      nhsNumber: person.nhsNumber,
      role: person.role,
      unitId: person.unitId,
      lineManagerId: person.lineManagerId,
      serviceStartDate: person.serviceStartDate,
      leavingDate: person.leavingDate,
      workingPattern: person.workingPattern,
      protectedIdentity: person.protectedIdentity,
      workEmail: person.workEmail,
      personalEmail: person.personalEmail,
      createdAt: person.createdAt.toISOString(),
      updatedAt: person.updatedAt.toISOString(),
    };
    // The same rule decides what an update may write (updatePerson).
    for (const field of personHiddenFields(ctx.actor, person)) delete view[field];
    return view;
  }

  /**
   * Reads one workforce record within the actor's reach; outside reach is "not found" — as a
   * missing `notFoundAs` when the person is reached through another record (an absence, a
   * procedure step), so nothing tells whether that record exists. Audited either way.
   */
  async getPerson(
    ctx: RequestContext,
    id: string,
    purpose = 'workforce-record',
    notFoundAs = 'person',
    /** The caller's transaction, when the read is part of a change: its audit entry commits with it. */
    trx?: Knex.Transaction,
  ): Promise<Person> {
    const person = await this.repository.findPerson(id, personScope(ctx.actor), trx);
    if (!person)
      throw await this.audit.outOfReach(ctx, { entityType: 'person', entityId: id, purpose }, notFoundAs, trx);
    await this.audit.record(
      ctx,
      { action: 'read', entityType: 'person', entityId: id, subjectPersonId: id, purpose },
      trx,
    );
    return person;
  }

  /** Searches workforce records within the actor's reach. The search and what it returned are audited. */
  async searchPeople(ctx: RequestContext, input: SearchPeopleInput): Promise<PersonPage> {
    const page = await this.repository.search(personScope(ctx.actor), input);
    await this.audit.record(ctx, {
      action: 'search',
      entityType: 'person',
      purpose: 'workforce-record',
      details: {
        filter: { ...input, q: input.q ? '[given]' : undefined },
        total: page.total,
        returned: page.items.map((p) => p.id),
      },
    });
    return page;
  }

  /** Creates a workforce record in the caller's organisation (or one they may write to). */
  async createPerson(ctx: RequestContext, input: CreatePersonInput): Promise<Person> {
    const organisationId = input.organisationId ?? ctx.actor.organisationId;
    const fields: FieldErrors = {};
    const scope = personWriteScope(ctx.actor);
    const organisation = await this.repository.findOrganisation(organisationId);
    if (
      !organisation ||
      (scope.kind === 'organisation' && scope.organisationId !== organisationId) ||
      scope.kind === 'none'
    ) {
      fields.organisationId = 'No such organisation you can add people to';
    } else if (organisation.kind === 'nhs-partner') {
      fields.organisationId = 'Workforce records belong to the host force or a partner agency';
    }
    const id = newId();
    await this.checkReferences(organisationId, id, input, fields);
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const person: NewPerson = {
      id,
      organisationId,
      staffNumber: input.staffNumber.toUpperCase(),
      collarNumber: input.collarNumber?.toUpperCase() ?? null,
      givenName: input.givenName,
      familyName: input.familyName,
      dateOfBirth: input.dateOfBirth ?? null,
      nhsNumber: input.nhsNumber ?? null,
      role: input.role,
      unitId: input.unitId ?? null,
      lineManagerId: input.lineManagerId ?? null,
      serviceStartDate: input.serviceStartDate,
      leavingDate: input.leavingDate ?? null,
      workingPattern: input.workingPattern ?? DEFAULT_WORKING_PATTERN,
      protectedIdentity: input.protectedIdentity ?? false,
      workEmail: input.workEmail ?? null,
      personalEmail: input.personalEmail ?? null,
    };
    const now = this.clock.now();
    try {
      await this.repository.transaction(async (trx) => {
        await this.repository.insertPerson(person, now, trx);
        await this.audit.record(
          ctx,
          { action: 'create', entityType: 'person', entityId: id, subjectPersonId: id, purpose: 'workforce-record' },
          trx,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          'duplicate-staff-number',
          'A person with this staff number already exists in the organisation.',
          {
            staffNumber: 'This staff number is already in use',
          },
        );
      }
      throw error;
    }
    return { ...person, createdAt: now, updatedAt: now };
  }

  /** Updates a workforce record within the actor's write reach. */
  async updatePerson(ctx: RequestContext, id: string, input: UpdatePersonInput): Promise<Person> {
    const existing = await this.repository.findPerson(id, personWriteScope(ctx.actor));
    if (!existing) {
      await this.audit.record(ctx, {
        action: 'update',
        entityType: 'person',
        entityId: id,
        outcome: 'denied',
        reason: 'not-found-or-out-of-reach',
      });
      throw new NotFoundError('person');
    }
    // An update never writes a field the editor cannot see (issue 14 defect 7): a blank they could not
    // read back would erase what is there, such as the NHS number behind HR's form or a protected
    // officer's contact details (CONF-3).
    const { protectedIdentityReason, ...given } = input;
    const hidden = personHiddenFields(ctx.actor, existing).filter((field) => given[field] !== undefined);
    if (hidden.length) {
      throw new ValidationError(
        Object.fromEntries(hidden.map((field) => [field, 'You cannot change a field you cannot see'])),
        'An update may change only the fields you can see.',
        'field-not-visible',
      );
    }
    const fields: FieldErrors = {};
    await this.checkReferences(
      existing.organisationId,
      id,
      {
        ...input,
        dateOfBirth: input.dateOfBirth !== undefined ? input.dateOfBirth : existing.dateOfBirth,
        serviceStartDate: input.serviceStartDate ?? existing.serviceStartDate,
        leavingDate: input.leavingDate !== undefined ? input.leavingDate : existing.leavingDate,
      },
      fields,
    );
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const flag = this.protectedIdentityChange(ctx, existing, given.protectedIdentity, protectedIdentityReason);
    const changes: Partial<NewPerson> = {
      ...given,
      ...(input.staffNumber !== undefined ? { staffNumber: input.staffNumber.toUpperCase() } : {}),
      ...(input.collarNumber ? { collarNumber: input.collarNumber.toUpperCase() } : {}),
    };
    if (input.givenName !== undefined || input.familyName !== undefined) {
      changes.givenName = input.givenName ?? existing.givenName;
      changes.familyName = input.familyName ?? existing.familyName;
    }
    const now = this.clock.now();
    try {
      await this.repository.transaction(async (trx) => {
        await this.repository.updatePerson(id, changes, now, trx);
        await this.audit.record(
          ctx,
          {
            action: 'update',
            entityType: 'person',
            entityId: id,
            subjectPersonId: id,
            purpose: 'workforce-record',
            details: { fields: Object.keys(given) },
          },
          trx,
        );
        if (flag) await this.recordProtectedIdentityChange(ctx, existing, flag, trx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          'duplicate-staff-number',
          'A person with this staff number already exists in the organisation.',
          {
            staffNumber: 'This staff number is already in use',
          },
        );
      }
      throw error;
    }
    return { ...existing, ...changes, updatedAt: now } as Person;
  }

  /**
   * Protects a person's identity or lifts the protection (OH only, with a reason; CONF-3). Lifting it
   * tells the OH clinicians; referrals shared while it held keep it (pathway-referral-service.ts).
   */
  async changeProtectedIdentity(ctx: RequestContext, id: string, input: ProtectedIdentityInput): Promise<Person> {
    const existing = await this.repository.findPerson(id, personScope(ctx.actor));
    if (!existing) throw new NotFoundError('person');
    const flag = this.protectedIdentityChange(ctx, existing, input.protectedIdentity, input.reason);
    if (!flag) return existing;
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      await this.repository.updatePerson(id, { protectedIdentity: flag.to }, now, trx);
      await this.recordProtectedIdentityChange(ctx, existing, flag, trx);
    });
    return { ...existing, protectedIdentity: flag.to, updatedAt: now };
  }

  /**
   * Whether an update changes the protected-identity flag; refused unless the actor is OH (403
   * protected-identity-oh-only) and gives a reason (422 protected-identity-reason-required). Issue 14 defect 6.
   */
  private protectedIdentityChange(
    ctx: RequestContext,
    existing: Person,
    to: boolean | undefined,
    reason: string | undefined,
  ): ProtectedIdentityChange | null {
    if (to === undefined || to === existing.protectedIdentity) return null;
    if (!mayChangeProtectedIdentity(ctx.actor)) {
      throw new ForbiddenError(
        'protected-identity-oh-only',
        'Only occupational health may protect an identity or lift the protection.',
      );
    }
    if (!reason?.trim()) {
      throw new ValidationError(
        { protectedIdentityReason: 'Give the reason for the change' },
        'A change of protected identity needs a reason.',
        'protected-identity-reason-required',
      );
    }
    return { to, reason: reason.trim() };
  }

  /** Audits a change of the flag with its reason, and puts a lifted one on the OH clinicians' queue. */
  private async recordProtectedIdentityChange(
    ctx: RequestContext,
    person: Person,
    change: ProtectedIdentityChange,
    trx: Knex.Transaction,
  ): Promise<void> {
    await this.audit.record(
      ctx,
      {
        action: 'update',
        entityType: 'person',
        entityId: person.id,
        subjectPersonId: person.id,
        purpose: 'protected-identity',
        details: { protectedIdentity: { from: person.protectedIdentity, to: change.to }, reason: change.reason },
      },
      trx,
    );
    if (change.to) return;
    const task = {
      organisationId: person.organisationId,
      subjectPersonId: person.id,
      sourceType: 'protected-identity',
      sourceId: newId(),
      code: PROTECTED_IDENTITY_LIFTED_TASK,
      sequence: 1,
      rule: 'CONF-3',
      dueDate: this.clock.today(),
      assignee: { role: 'oh-clinician' },
    };
    await this.worklist.sync(task.sourceType, task.sourceId, { keep: [task], create: [task] }, trx);
  }

  /** Checks dates, unit and line manager belong together; adds field errors. */
  private async checkReferences(
    organisationId: string,
    personId: string,
    input: {
      dateOfBirth?: string | null | undefined;
      serviceStartDate?: string | undefined;
      leavingDate?: string | null | undefined;
      unitId?: string | null | undefined;
      lineManagerId?: string | null | undefined;
    },
    fields: FieldErrors,
  ): Promise<void> {
    const today = this.clock.today();
    if (input.dateOfBirth && input.dateOfBirth >= today) fields.dateOfBirth = 'Date of birth must be in the past';
    if (input.dateOfBirth && input.serviceStartDate && input.serviceStartDate <= input.dateOfBirth) {
      fields.serviceStartDate = 'Service must start after the date of birth';
    }
    if (input.leavingDate && input.serviceStartDate && input.leavingDate < input.serviceStartDate) {
      fields.leavingDate = 'Leaving date must be on or after the service start date';
    }
    if (input.unitId) {
      const unit = await this.repository.findUnit(input.unitId);
      if (!unit || unit.organisationId !== organisationId) fields.unitId = 'No such unit in this organisation';
    }
    if (input.lineManagerId) {
      if (input.lineManagerId === personId) {
        fields.lineManagerId = 'A person cannot be their own line manager';
      } else {
        const [manager] = await this.repository.findPersonsByIds([input.lineManagerId]);
        if (!manager || manager.organisationId !== organisationId)
          fields.lineManagerId = 'No such person in this organisation';
        else if (await this.repository.reportsTo(input.lineManagerId, personId)) {
          fields.lineManagerId = 'This person already reports to them: the line management would go round in a circle';
        }
      }
    }
  }

  /**
   * Display names for people named on a record the actor can already see (a line
   * manager on a staff member's own record). Names only: nothing else about them.
   */
  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const found = await this.repository.findPersonsByIds(ids);
    return new Map(found.map((p) => [p.id, `${p.givenName} ${p.familyName}`]));
  }

  /** Everyone in an organisation (or one unit) the actor can reach, for a report; audited as a search. */
  async everyoneForReport(ctx: RequestContext, organisationId: string, unitId: string | null): Promise<Person[]> {
    const scope = personScope(ctx.actor);
    const page = await this.repository.search(scope, {
      organisationId,
      ...(unitId ? { unitId } : {}),
      limit: 100_000,
      offset: 0,
    });
    await this.audit.record(ctx, {
      action: 'search',
      entityType: 'person',
      purpose: 'attendance-report',
      details: { organisationId, unitId, total: page.total },
    });
    return page.items;
  }

  /** Records for the platform's own background work (no actor, so no reach to apply); never for a request. */
  async recordsForSystem(ids: readonly string[], trx?: Knex.Transaction): Promise<Map<string, Person>> {
    return new Map((await this.repository.findPersonsByIds(ids, trx)).map((p) => [p.id, p]));
  }

  /** Everyone in one organisation (or all), for the platform's own background work (no actor, so no reach); never for a request. */
  async everyoneForSystem(organisationId: string | null = null): Promise<Person[]> {
    return this.repository.everyone(organisationId);
  }

  /** Records by staff number in one organisation, for the platform's own trusted work (imports from the CLI). */
  async byStaffNumbersForSystem(organisationId: string, staffNumbers: readonly string[]): Promise<Map<string, Person>> {
    return new Map(
      (await this.repository.findByStaffNumbers(organisationId, staffNumbers)).map((p) => [p.staffNumber, p]),
    );
  }

  /** Creates an organisation (first start in production, the CLI, demo data). */
  async createOrganisation(input: Omit<Organisation, 'id'>): Promise<Organisation> {
    const organisation: Organisation = { id: newId(), ...input };
    await this.repository.insertOrganisation(organisation, this.clock.now());
    return organisation;
  }

  // Organisations and units ------------------------------------------------

  /** One organisation by id, or null (organisations are not personal data). */
  async findOrganisation(id: string): Promise<Organisation | null> {
    return this.repository.findOrganisation(id);
  }

  /**
   * An NHS partner organisation by id, or a 422 on `field`: consents to share, referrals shared,
   * partner services and partner systems each name one.
   */
  async nhsPartner(id: string, field = 'organisationId'): Promise<Organisation> {
    const organisation = await this.repository.findOrganisation(id);
    if (!organisation || organisation.kind !== 'nhs-partner')
      throw new ValidationError({ [field]: 'Choose an NHS partner organisation.' });
    return organisation;
  }

  /** Organisations the OH unit serves (OH staff and system administrators). */
  async listOrganisations(): Promise<Organisation[]> {
    return this.repository.listOrganisations();
  }

  /** Units the actor can see: every organisation's for OH staff, otherwise their own. */
  async listUnits(ctx: RequestContext, organisationId?: string): Promise<Unit[]> {
    const reach = organisationReach(ctx.actor);
    if (reach.kind === 'own') {
      if (organisationId && organisationId !== reach.organisationId) return [];
      return this.repository.listUnits([reach.organisationId]);
    }
    return this.repository.listUnits(organisationId ? [organisationId] : 'all');
  }

  /** One unit within reach, or not found. */
  async getUnit(ctx: RequestContext, id: string): Promise<Unit> {
    const unit = await this.repository.findUnit(id);
    const reach = organisationReach(ctx.actor);
    if (!unit || (reach.kind === 'own' && unit.organisationId !== reach.organisationId))
      throw new NotFoundError('unit');
    return unit;
  }

  /** Creates a unit in an organisation the actor may write to. */
  async createUnit(ctx: RequestContext, input: CreateUnitInput): Promise<Unit> {
    const organisationId = input.organisationId ?? ctx.actor.organisationId;
    const scope = personWriteScope(ctx.actor);
    const fields: FieldErrors = {};
    const organisation = await this.repository.findOrganisation(organisationId);
    if (
      !organisation ||
      (scope.kind === 'organisation' && scope.organisationId !== organisationId) ||
      scope.kind === 'none'
    ) {
      fields.organisationId = 'No such organisation you can add units to';
    }
    if (input.parentUnitId) {
      const parent = await this.repository.findUnit(input.parentUnitId);
      if (!parent || parent.organisationId !== organisationId)
        fields.parentUnitId = 'No such unit in this organisation';
    }
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const unit: Unit = {
      id: newId(),
      organisationId,
      name: input.name,
      code: input.code ?? null,
      parentUnitId: input.parentUnitId ?? null,
    };
    try {
      await this.repository.insertUnit(unit, this.clock.now());
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('duplicate-unit-name', 'A unit with this name already exists.', {
          name: 'This name is already in use',
        });
      throw error;
    }
    await this.audit.record(ctx, { action: 'create', entityType: 'unit', entityId: unit.id });
    return unit;
  }
}
