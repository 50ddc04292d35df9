import type { Request } from 'express';
import { policies } from '../auth/access-policy.js';
import { enumLabel } from '../i18n/enum-labels.js';
import { longDate } from '../shared/dates.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { nextTestOf, ownSchedule, type OwnScheduleItem } from './bbv-own-view.js';
import type { BbvTest } from './bbv-types.js';

const lang = (req: Request): 'en' | 'cy' => (req.locale === 'cy' ? 'cy' : 'en');

/** "hepatitis B, hepatitis C and HIV": what one sample is tested for, in plain words, each once. */
export function testsInWords(req: Request, tests: readonly BbvTest[]): string {
  const words = [...new Set(tests.map((t) => req.t(`bbvOwn.testsPlain.${t}`)))];
  if (words.length < 2) return words.join('');
  return `${words.slice(0, -1).join(', ')}${req.t('bbvOwn.and')}${words[words.length - 1]}`;
}

/** One timepoint for the person: when, what for, and where it stands (never a result). */
function itemView(req: Request, s: OwnScheduleItem) {
  const l = lang(req);
  const values = {
    timepoint: enumLabel(req.t, 'bbvTimepoint', s.timepoint),
    from: longDate(s.windowStart, l),
    to: longDate(s.windowEnd, l),
  };
  return {
    ...s,
    what: req.t('bbvOwn.testAt', values),
    when: req.t('bbvOwn.between', values),
    statusName: enumLabel(req.t, 'timepointStatus', s.status),
    missed: s.status === 'overdue' ? req.t('bbvOwn.missed', values) : null,
    values,
  };
}

/**
 * The officer's own page (issue 16 §8): for each open exposure, when it happened, the next test
 * (when, what for in plain words, where and how to arrange it), and that results go to OH only. The
 * schedule comes through `bbvView` 'own' (bbv-own-view.ts): no result, nor that one needs a clinician.
 */
export function bbvOwnPages(deps: AppDependencies): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/me/bbv',
      kind: 'page',
      policy: policies.selfService,
      summary:
        'Your follow-up blood tests after an exposure at work: when the next one is, where, and that results go to OH only (English and Welsh).',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const personId = ctx.actor.personId;
        const records = personId ? await deps.services.bbv.forPerson(ctx, personId) : [];
        const phone = deps.config.ohContact?.phone ?? null;
        const email = deps.config.ohContact?.email ?? null;
        const exposures = records
          .filter((r) => r.pathwayStatus !== 'closed' && r.incident.personId === personId)
          .map((r) => {
            const next = nextTestOf(r.schedule);
            const schedule = ownSchedule(r.schedule).map((s) => itemView(req, s));
            const nextView = next ? itemView(req, next) : null;
            return {
              id: r.incident.id,
              heading: req.t('bbvOwn.exposureHeading', { date: longDate(r.incident.exposureDate, lang(req)) }),
              next: nextView && {
                ...nextView,
                statusText:
                  next!.status === 'due'
                    ? req.t('bbvOwn.due', nextView.values)
                    : next!.status === 'partial'
                      ? req.t('bbvOwn.partial')
                      : req.t('bbvOwn.upcoming'),
                testsText: req.t('bbvOwn.testsWhat', { list: testsInWords(req, next!.tests) }),
              },
              missed: schedule.flatMap((s) => (s.missed ? [s.missed] : [])),
              // Not assessed yet, or no follow-up: nothing to arrange; every timepoint done: OH will be in touch.
              noSchedule: schedule.length === 0,
              allDone: schedule.length > 0 && schedule.every((s) => s.status === 'complete'),
              schedule,
            };
          });
        renderPage(req, res, 'bbv-own/mine', {
          title: req.t('bbvOwn.title'),
          linked: personId !== null,
          exposures,
          phone,
          email,
        });
      },
    },
  ];
}
