import type { Request } from 'express';
import { policies, roleMayUse } from '../auth/access-policy.js';
import { enumLabel } from '../i18n/enum-labels.js';
import { inLanguage } from '../pathways/definition.js';
import { SURVEY_OPEN_COOKIE } from '../needs-assessment/survey-answer-pages.js';
import { longDate, londonDay } from '../shared/dates.js';
import type { AppDependencies } from './app-dependencies.js';
import { requestContext } from './authenticate.js';
import { ukTime } from './appointment-view.js';
import { waitingFor, type WaitingItem } from './home-service.js';
import { ensureCsrfToken, parseCookie } from './middleware.js';
import { renderPage } from './render.js';
import type { RouteDefinition } from './route-registry.js';

/** The role-aware home page: what this role can do, in the order they are likely to need it. */
export function homePages(deps: AppDependencies): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Home page for the signed-in role.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const role = req.actor!.role;
        const cards: Record<string, Array<{ href: string; key: string }>> = {
          'oh-clinician': [
            { href: '/worklist', key: 'home.cards.worklist' },
            { href: '/referrals', key: 'home.cards.triage' },
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
            { href: '/admin/pathway-definitions', key: 'home.cards.pathwayDefinitions' },
          ],
          'oh-administrator': [
            { href: '/worklist', key: 'home.cards.worklist' },
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
            { href: '/admin/pathway-definitions', key: 'home.cards.pathwayDefinitions' },
            { href: '/audit', key: 'home.cards.audit' },
          ],
          'line-manager': [
            { href: '/worklist', key: 'home.cards.worklist' },
            { href: '/people', key: 'home.cards.team' },
          ],
          'hr-manager': [
            { href: '/worklist', key: 'home.cards.worklist' },
            { href: '/reports/attendance', key: 'home.cards.reports' },
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
          ],
          'health-board-lead': [{ href: '/units', key: 'home.cards.units' }],
          staff: [
            { href: '/me', key: 'home.cards.myRecord' },
            { href: '/me/referrals/new', key: 'home.cards.selfReferral' },
            { href: '/me/referrals', key: 'home.cards.myReferrals' },
            { href: '/me/consents', key: 'home.cards.myConsents' },
          ],
          'system-administrator': [
            { href: '/admin/users', key: 'home.cards.users' },
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
          ],
        };
        // The worklist card says what is waiting: tasks, and pathway steps open, due and overdue.
        let worklistText: string | null = null;
        if (roleMayUse(policies.worklist, role)) {
          const ctx = requestContext(req);
          const [steps, tasks] = await Promise.all([
            deps.services.pathways.worklist(ctx, { asOf: deps.clock.now(), limit: 1 }),
            deps.services.worklist.mine(ctx),
          ]);
          worklistText = req.t('home.cards.worklist.counts', {
            count: tasks.length,
            open: steps.counts.open,
            due: steps.counts.due,
            overdue: steps.counts.overdue,
          });
        }
        const waiting =
          role === 'staff' ? await waitingFor(deps.services, requestContext(req), deps.clock.now()) : null;
        // Issue 17 §4: surveys the person is invited to, and the one this browser has started (its marker cookie).
        const surveys = roleMayUse(policies.surveyInvitations, role)
          ? await deps.services.surveys.invitationsFor(requestContext(req))
          : [];
        const surveyStarted = parseCookie(req.headers.cookie, SURVEY_OPEN_COOKIE) === '1';
        renderPage(req, res, 'home/home', {
          surveys:
            surveys.length || surveyStarted
              ? {
                  started: surveyStarted,
                  invitations: surveys.map((c) => ({
                    href: `/surveys/invitations/${c.id}`,
                    title: c.title,
                    hint: req.t('home.surveys.closes', { date: longDate(c.closesOn, lang(req)) }),
                  })),
                }
              : null,
          waiting: waiting && { count: waiting.length, items: waiting.map((w) => waitingView(req, w)) },
          cards: (cards[role] ?? []).map((c) => ({
            href: c.href,
            title: req.t(`${c.key}.title`),
            description: c.key === 'home.cards.worklist' && worklistText ? worklistText : req.t(`${c.key}.description`),
          })),
          intro: req.t(`home.intro.${role}`),
        });
      },
    },
  ];
}

const lang = (req: Request): 'en' | 'cy' => (req.locale === 'cy' ? 'cy' : 'en');

/** One thing waiting for the officer, in words, with where to go to deal with it. */
function waitingView(req: Request, w: WaitingItem): { href: string; text: string; hint: string | null } {
  const t = req.t.bind(req);
  switch (w.kind) {
    case 'consent-decision':
      return {
        href: `/me/consents/${w.consentId}`,
        text: t('home.waiting.consentDecision', { kind: enumLabel(t, 'consentKind', w.consentKind) }),
        hint: w.description,
      };
    case 'report-review':
      return {
        href: `/me/consents/${w.consentId}`,
        text: t('home.waiting.reportReview'),
        hint: w.description,
      };
    case 'referral-copy':
      return {
        href: `/me/referrals/${w.referralId}`,
        text: t(w.byHr ? 'home.waiting.referralCopyHr' : 'home.waiting.referralCopy'),
        hint: t('home.waiting.referralCopyHint', { date: longDate(londonDay(w.createdAt), lang(req)) }),
      };
    case 'pathway-step': {
      const d = inLanguage(w.definition, lang(req));
      const step = w.step ? d.steps.find((s) => s.id === w.step!.id) : undefined;
      return {
        href: `/pathways/${w.pathwayId}/steps/${w.stepId}`,
        text: step?.staffText ?? t('home.waiting.step'),
        hint: w.dueBy
          ? t('home.waiting.stepDue', { title: d.title, date: longDate(londonDay(w.dueBy), lang(req)) })
          : d.title,
      };
    }
    case 'appointment':
      return {
        href: `/pathways/${w.pathwayId}`,
        text: t('home.waiting.appointment', {
          date: longDate(londonDay(w.at), lang(req)),
          time: ukTime(w.at, lang(req)),
        }),
        hint: [
          w.place ? t('appointments.where', { place: w.place }) : null,
          w.withOrganisation
            ? t('home.waiting.appointmentWith', { organisation: w.withOrganisation })
            : inLanguage(w.definition, lang(req)).title,
          t('appointments.change'),
        ]
          .filter(Boolean)
          .join('. '),
      };
    case 'bbv-test': {
      // Issue 16 §8: the dates and where, never what it tests for or any result.
      const values = {
        from: longDate(w.test.windowStart, lang(req)),
        to: longDate(w.test.windowEnd, lang(req)),
        timepoint: enumLabel(t, 'bbvTimepoint', w.test.timepoint),
      };
      return {
        href: '/me/bbv',
        text: t(w.test.status === 'due' ? 'home.waiting.bbvTestDue' : 'home.waiting.bbvTest', values),
        hint: t('home.waiting.bbvTestHint', values),
      };
    }
  }
}
