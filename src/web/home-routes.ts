import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../app.js';
import { ensureCsrfToken } from './middleware.js';
import { renderPage } from './render.js';
import type { RouteDefinition } from './route-registry.js';

/** The role-aware home page: what this role can do, in the order they are likely to need it. */
export function homeRoutes(_deps: AppDependencies): RouteDefinition[] {
  return [
    {
      method: 'get',
      path: '/',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Home page for the signed-in role.',
      handler: (req, res) => {
        ensureCsrfToken(req);
        const role = req.actor!.role;
        const cards: Record<string, Array<{ href: string; key: string }>> = {
          'oh-clinician': [
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
          ],
          'oh-administrator': [
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
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
          staff: [{ href: '/me', key: 'home.cards.myRecord' }],
          'system-administrator': [
            { href: '/admin/users', key: 'home.cards.users' },
            { href: '/people', key: 'home.cards.people' },
            { href: '/units', key: 'home.cards.units' },
          ],
        };
        renderPage(req, res, 'home/home', {
          cards: (cards[role] ?? []).map((c) => ({ href: c.href, title: req.t(`${c.key}.title`), description: req.t(`${c.key}.description`) })),
          intro: req.t(`home.intro.${role}`),
        });
      },
    },
  ];
}
