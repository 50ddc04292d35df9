import { policies, roleMayUse } from '../auth/access-policy.js';
import type { AppDependencies } from './app-dependencies.js';
import { requestContext } from './authenticate.js';
import { ensureCsrfToken } from './middleware.js';
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
        renderPage(req, res, 'home/home', {
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
