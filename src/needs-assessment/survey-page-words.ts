import type { Request } from 'express';
import { enumLabel } from '../i18n/enum-labels.js';
import type { WorkforceRole } from '../people/people-schemas.js';
import type { AppServices } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { OTHER_GROUP } from './population-groups.js';
import type { ResultFigure } from './results-types.js';
import { responseRate, responseRateBand } from './scoring.js';
import type { CampaignSummary } from './survey-service.js';
import type { Campaign } from './survey-types.js';

/*
 * The words the survey pages share (issue 17): who a campaign asked, its reporting groups by name, a response
 * rate with HSE's band, and a figure as the reader sees it ("fewer than 10" when it is suppressed, CONF-5).
 */

export const pageLang = (req: Request): 'en' | 'cy' => (req.locale === 'cy' ? 'cy' : 'en');

/** A share (0–1) as a whole percentage in the reader's words. */
export function percent(req: Request, share: number): string {
  return req.t('surveys.common.percent', { value: Math.round(share * 100) });
}

/** A number with at most two decimal places, as the page's language writes it. */
export function decimal(req: Request, value: number): string {
  return new Intl.NumberFormat(req.locale === 'cy' ? 'cy-GB' : 'en-GB', { maximumFractionDigits: 2 }).format(value);
}

/** A figure as shown: its value written by `write`, "fewer than 10" when suppressed, "no answers" when from nobody. */
export function figureText(
  req: Request,
  f: ResultFigure | null,
  threshold: number,
  write: (value: number) => string,
): string {
  if (!f) return '';
  if (f.suppressed) return req.t('surveys.common.fewerThan', { number: threshold });
  if (f.value === null) return req.t('surveys.common.noAnswers');
  return write(f.value);
}

/** The response rate with HSE's band for it (NA-3), e.g. "64% (desirable)". */
export function rateText(req: Request, c: Pick<CampaignSummary, 'responses' | 'invitedCount'>): string {
  const rate = responseRate(c.responses, c.invitedCount) ?? 0;
  return req.t('surveys.common.rate', {
    value: Math.round(rate),
    band: enumLabel(req.t, 'responseRateBand', responseRateBand(rate)),
  });
}

/** Each reporting group's name: a unit's name, a workforce role in words, or everyone else. */
export async function groupNames(
  req: Request,
  services: Pick<AppServices, 'people'>,
  c: Pick<Campaign, 'breakdown' | 'groups' | 'organisationId'>,
): Promise<Map<string, string>> {
  const units =
    c.breakdown === 'unit'
      ? new Map(
          (await services.people.listUnits(requestContext(req), c.organisationId)).map((u) => [u.id, u.name] as const),
        )
      : new Map<string, string>();
  return new Map(
    c.groups.map((g) => {
      if (g.key === OTHER_GROUP) return [g.key, req.t('surveys.common.otherGroup')];
      if (c.breakdown === 'role') return [g.key, enumLabel(req.t, 'workforceRole', g.key as WorkforceRole)];
      return [g.key, units.get(g.key) ?? req.t('surveys.common.unknownUnit')];
    }),
  );
}

/** Who a campaign asked, in words. */
export async function populationText(
  req: Request,
  services: Pick<AppServices, 'people'>,
  c: Pick<Campaign, 'populationKind' | 'populationRef' | 'organisationId'>,
): Promise<string> {
  switch (c.populationKind) {
    case 'organisation': {
      const org = await services.people.findOrganisation(c.populationRef);
      return req.t('surveys.population.organisation', { name: org?.name ?? '' });
    }
    case 'unit': {
      const unit = await services.people.getUnit(requestContext(req), c.populationRef).catch(() => null);
      return req.t('surveys.population.unit', { name: unit?.name ?? req.t('surveys.common.unknownUnit') });
    }
    case 'team': {
      const names = await services.people.namesOf([c.populationRef]);
      return req.t('surveys.population.team', { name: names.get(c.populationRef) ?? '' });
    }
    case 'role':
      return req.t('surveys.population.role', {
        role: enumLabel(req.t, 'workforceRole', c.populationRef as WorkforceRole),
      });
  }
}
