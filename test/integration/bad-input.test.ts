import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  WORLD_ROLES,
  type TestPlatform,
  type World,
  type WorldUser,
} from '../support/test-platform.js';

const JUNK_PARAMS = ['x', "1' OR '1'='1", '..%2F..%2Fetc%2Fpasswd', '%00', 'é'.repeat(300)];
const JUNK_QUERIES = [
  'limit=-1&offset=abc',
  'q=%27%3BDROP%20TABLE%20people&unknown=1',
  'limit=1e309',
  'unitId[]=1&unitId[]=2',
  'from=2026-02-30&to=x',
  'format=xml&asOf=tomorrow',
];
const JUNK_BODIES: unknown[] = [
  [],
  'text',
  42,
  null,
  { a: { b: [1, { c: null }] } },
  { staffNumber: {}, role: ['officer'], serviceStartDate: 20200101, content: 'x', effectiveFrom: [] },
];

/** Nothing returns 500 for bad input: every route, fed junk by a role allowed to use it. */
describe('bad input never causes a server error', () => {
  let t: TestPlatform;
  let w: World;
  const agents = {} as Record<WorldUser, Awaited<ReturnType<typeof signIn>>>;
  const csrf = {} as Record<WorldUser, string>;
  const preference: WorldUser[] = ['ohAdmin', 'hr', 'sysadmin', 'clinician', 'lineManager', 'staff', 'healthBoardLead'];

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    for (const u of preference) {
      agents[u] = await signIn(t, w.users[u].email);
      csrf[u] = csrfFrom((await agents[u].get('/account')).text);
    }
  });
  afterAll(async () => t.destroy());

  it('when junk path parameters, queries and bodies are sent to every route, then no response is a 5xx', async () => {
    const failures: string[] = [];
    // /readyz answers 503 here by design: the job runner is not started in tests.
    const routes = t.platform.app.registry.list().filter((r) => !r.path.startsWith('/logout') && r.path !== '/readyz');
    for (const route of routes) {
      const user =
        route.policy.roles === null ? 'ohAdmin' : preference.find((u) => route.policy.roles!.includes(WORLD_ROLES[u]));
      if (!user) continue;
      for (let i = 0; i < JUNK_PARAMS.length; i++) {
        const param = JUNK_PARAMS[i]!;
        const url = `${route.path.replace(/:(\w+)/g, param).replace(/\*(\w+)/g, param)}?${JUNK_QUERIES[i % JUNK_QUERIES.length]}`;
        const body = JUNK_BODIES[i % JUNK_BODIES.length];
        let res;
        if (route.kind === 'api') {
          const req = request(t.app)[route.method](url).set('Authorization', `Bearer ${w.tokens[user]}`);
          res =
            route.method === 'get'
              ? await req
              : await req.set('Content-Type', 'application/json').send(JSON.stringify(body));
        } else {
          const req = agents[user][route.method](url);
          res =
            route.method === 'get'
              ? await req
              : await req
                  .type('form')
                  .send({ _csrf: csrf[user], junk: String(body), email: ['a', 'b'], roles: { x: 1 } });
        }
        if (res.status >= 500) failures.push(`${route.method.toUpperCase()} ${url} as ${user} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
