import type { Platform } from '../../../src/server.js';
import { addDays, londonDay } from '../../../src/shared/dates.js';

/** A workforce member as the browser tests need them: to open their pages and recognise them. */
export interface DemoPerson {
  id: string;
  givenName: string;
  familyName: string;
}

/**
 * A direct report of the person behind the account `managerEmail` who is not absent now
 * and has no absence that ended in the last 30 days, so a spell a test records in that
 * window cannot overlap one the demo data (or an earlier test) gave them. Chosen from the
 * database rather than the first row of a page, so changes to the demo data do not matter.
 */
export async function directReportFreeOfRecentAbsence(
  platform: Platform,
  managerEmail: string,
  today = new Date(),
): Promise<DemoPerson> {
  const { db } = platform;
  const manager = await db('users')
    .where({ email: managerEmail })
    .first<{ person_id: string | null } | undefined>('person_id');
  if (!manager?.person_id) throw new Error(`the demo account ${managerEmail} is not linked to a workforce member`);
  const since = addDays(londonDay(today), -30);
  const row = await db('people as p')
    .where('p.line_manager_id', manager.person_id)
    .whereNull('p.leaving_date')
    .whereNotExists((spells) => {
      spells
        .select('s.id')
        .from('absence_spells as s')
        .where('s.person_id', db.ref('p.id'))
        .andWhere((recent) => {
          recent.whereNull('s.end_date').orWhere('s.end_date', '>=', since);
        });
    })
    .orderBy('p.staff_number')
    .first<{ id: string; given_name: string; family_name: string } | undefined>(
      'p.id',
      'p.given_name',
      'p.family_name',
    );
  if (!row)
    throw new Error(`no direct report of ${managerEmail} is free of absence since ${since}; the demo team needs one`);
  return { id: row.id, givenName: row.given_name, familyName: row.family_name };
}
