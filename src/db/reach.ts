import type { Knex } from 'knex';
import type { PersonScope } from '../auth/access-policy.js';

/**
 * Restricts a query to rows about the people a scope reaches (issue 14 §13: reach is applied in the
 * query, so a row outside it is never read, rather than read and then checked). The access policy decides
 * the scope; `personColumn` names the row's person (e.g. `consents.person_id`, or `people.id` itself), and
 * `organisationColumn`, when the table carries one, saves a join for an organisation's reach.
 */
export function withinReach(
  q: Knex.QueryBuilder,
  scope: PersonScope,
  db: Knex | Knex.Transaction,
  personColumn: string,
  organisationColumn?: string,
): Knex.QueryBuilder {
  switch (scope.kind) {
    case 'all':
      return q;
    case 'self':
      return q.where(personColumn, scope.personId);
    case 'organisation':
      return organisationColumn
        ? q.where(organisationColumn, scope.organisationId)
        : q.whereIn(personColumn, db('people').select('id').where('organisation_id', scope.organisationId));
    case 'team': {
      // The manager themselves (their own record, issue 15 §9) and everyone who reports to them directly
      // or through others; UNION (not ALL) stops even a corrupted cycle of line managers from recursing forever.
      const team = db
        .withRecursive('team', ['id'], (cte) =>
          cte
            .select('id')
            .from('people')
            .where('line_manager_id', scope.managerPersonId)
            .orWhere('id', scope.managerPersonId)
            .union((u) => u.select('p.id').from('people as p').join('team', 'p.line_manager_id', 'team.id')),
        )
        .select('team.id')
        .from('team');
      return organisationColumn
        ? q.where(organisationColumn, scope.organisationId).whereIn(personColumn, team)
        : q.whereIn(
            personColumn,
            team.join('people as member', 'member.id', 'team.id').where('member.organisation_id', scope.organisationId),
          );
    }
    case 'none':
      return q.whereRaw('1 = 0');
  }
}
