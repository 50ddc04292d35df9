import type { IsoDate } from '../shared/dates.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { PeopleRepository } from '../people/people-repository.js';
import { newId } from '../shared/ids.js';
import { AttendanceRepository } from './attendance-repository.js';
import type { NewAbsenceSpell } from './attendance-types.js';

// The trigger sweep's one read (AttendanceScoring.sweep), on a real database: SQLite, or PostgreSQL when DATABASE_URL is set.
describe('the spells scoring reads (scoringRows)', () => {
  let database: TestDatabase;
  let repository: AttendanceRepository;
  const now = new Date('2026-11-23T09:00:00Z');
  const organisationId = newId();
  const personId = newId();

  const spell = (
    startDate: IsoDate,
    endDate: IsoDate | null,
    overrides: Partial<NewAbsenceSpell> = {},
  ): NewAbsenceSpell => ({
    id: newId(),
    personId,
    organisationId,
    startDate,
    endDate,
    reasonCategory: 'cold-flu',
    ohReasonText: null,
    dutyRelated: false,
    injuryOnDuty: false,
    accidentReportDueAt: null,
    pregnancyRelated: false,
    disabilityRelated: false,
    countsAsSickness: true,
    notSicknessKind: null,
    certification: 'self',
    certificateFrom: null,
    certificateTo: null,
    expectedReturnDate: null,
    importKey: null,
    recordedByUserId: null,
    ...overrides,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    const people = new PeopleRepository(database.db);
    await people.insertOrganisation(
      { id: organisationId, name: 'Scoring Force', kind: 'host-force', odsCode: null, hostOrganisationId: null },
      now,
    );
    await people.insertPerson(
      {
        id: personId,
        organisationId,
        staffNumber: 'S1',
        collarNumber: null,
        givenName: 'Sam',
        familyName: 'Scored',
        dateOfBirth: null,
        nhsNumber: null,
        role: 'officer',
        unitId: null,
        lineManagerId: null,
        serviceStartDate: '2010-01-04',
        leavingDate: null,
        workingPattern: { kind: 'weekly', days: [1, 2, 3, 4, 5] },
        protectedIdentity: false,
        workEmail: null,
        personalEmail: null,
      },
      now,
    );
    repository = new AttendanceRepository(database.db);
    await repository.transaction((trx) =>
      repository.insertMany(
        [
          spell('2026-01-05', '2026-01-06'),
          spell('2026-03-02', '2026-03-02', { disabilityRelated: true }),
          spell('2026-11-16', null),
          // Never counted (ATT-6, ATT-7): left in the database.
          spell('2026-04-06', '2026-04-06', {
            countsAsSickness: false,
            notSicknessKind: 'statutory-medical',
            certification: 'none',
          }),
          spell('2026-05-04', '2026-05-08', { pregnancyRelated: true, reasonCategory: 'pregnancy-related' }),
          // Outside the look-back, or after the day.
          spell('2025-10-01', '2025-10-03'),
          spell('2026-11-24', '2026-11-24'),
        ],
        now,
        trx,
      ),
    );
  });
  afterAll(() => database.destroy());

  it('when the sweep reads, then it gets the sickness spells that can bear on the window with their dates and disability flag, and nothing that never counts', async () => {
    const rows = await repository.scoringRows(null, '2026-11-23', 373);
    const own = [...(rows.get(personId) ?? [])].sort((a, b) => a.startDate.localeCompare(b.startDate));
    expect(own).toEqual([
      {
        startDate: '2026-01-05',
        endDate: '2026-01-06',
        countsAsSickness: true,
        pregnancyRelated: false,
        disabilityRelated: false,
      },
      {
        startDate: '2026-03-02',
        endDate: '2026-03-02',
        countsAsSickness: true,
        pregnancyRelated: false,
        disabilityRelated: true,
      },
      {
        startDate: '2026-11-16',
        endDate: null,
        countsAsSickness: true,
        pregnancyRelated: false,
        disabilityRelated: false,
      },
    ]);
    expect(
      (await repository.scoringRows({ organisationId, unitId: null }, '2026-11-23', 373)).get(personId),
    ).toHaveLength(3);
    expect((await repository.scoringRows({ organisationId: newId(), unitId: null }, '2026-11-23', 373)).size).toBe(0);
  });
});
