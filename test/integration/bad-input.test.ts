import fc from 'fast-check';
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

/** A response in the error format of the route family its address belongs to, and no more than a 4xx. */
function expectOwnErrorFormat(url: string, res: request.Response): void {
  const what = `${url} → ${res.status} ${res.text.slice(0, 200)}`;
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  if (url.startsWith('/api/')) {
    expect(res.headers['content-type'], what).toMatch(/^application\/json/);
    expect(res.body.error, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  } else if (url.startsWith('/fhir/')) {
    expect(res.headers['content-type'], what).toMatch(/^application\/fhir\+json/);
    expect(JSON.parse(res.text), what).toMatchObject({ resourceType: 'OperationOutcome' });
  } else {
    // Pages, and the assets route, answer with an HTML page (as for a missing asset).
    expect(res.headers['content-type'], what).toMatch(/^text\/html/);
    expect(res.text, what).toContain('<html');
  }
}

const HEX = [...'0123456789abcdefABCDEF'];
const hexByte = (n: number) => `%${n.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Percent-encodings that decodeURIComponent refuses: a lone or short `%`, `%` and non-hex digits, a byte that is not
 * UTF-8 on its own, overlong forms, cut-off sequences, surrogates and code points past U+10FFFF. The text around
 * them has no hex digit (that would complete a short escape), no dot (URL clients resolve dot segments) and no slash.
 */
const malformedEncoding = fc
  .tuple(
    fc.stringMatching(/^[g-zG-Z_~-]{0,4}$/),
    fc.oneof(
      fc.constant('%'),
      fc.constantFrom(...HEX).map((h) => `%${h}`),
      fc.tuple(fc.constantFrom(...'gGzZ_~-'), fc.constantFrom(...HEX)).map(([a, b]) => `%${a}${b}`),
      fc.integer({ min: 0x80, max: 0xff }).map(hexByte),
      fc.constantFrom('%C0%AF', '%C1%BF', '%E0%80%AF', '%F0%80%80%AF', '%E2%82', '%F0%9F%98', '%ED%A0%80'),
      fc.constantFrom('%ED%BF%BF', '%F4%90%80%80', '%F5%80%80%80', '%FF%FE', '%C3%28', '%E2%28%A1'),
    ),
    fc.stringMatching(/^[g-zG-Z_~-]{0,4}$/),
  )
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Issue 14 defect 9: a badly encoded address is the caller's mistake (400 or 404), in the route's own format. */
describe('badly encoded addresses', () => {
  let t: TestPlatform;
  let w: World;
  let agent: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    agent = await signIn(t, w.users.ohAdmin.email);
  });
  afterAll(async () => t.destroy());

  it('when the reported addresses are asked for without signing in, then each answers 400 malformed-url in its own format', async () => {
    for (const url of [
      '/pathways/%ff',
      '/api/v1/pathways/%ff',
      '/api/v1/consents/%C0/fhir',
      '/fhir/R4/Task/%ff',
      '/set-password/%ff',
      '/assets/%ff',
      '/assets/images/%ff',
    ]) {
      const res = await request(t.app).get(url);
      expectOwnErrorFormat(url, res);
      expect(res.status, url).toBe(400);
      if (url.startsWith('/api/')) expect(res.body.error.code).toBe('malformed-url');
      if (url.startsWith('/fhir/')) expect(JSON.parse(res.text).issue[0].details.coding[0].code).toBe('malformed-url');
    }
  });

  it('when a language cookie is badly encoded, then it is ignored and the page is served', async () => {
    const res = await request(t.app).get('/login').set('Cookie', 'lang=%ff');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="en"');
  });

  // About 1,500 requests, so the time allowed leaves room for a busy machine.
  it('when every route is asked for with malformed percent-encodings in its path, signed in or not, then none is a 5xx and each answers in its own format', async () => {
    const routes = t.platform.app.registry.list().filter((r) => !r.path.startsWith('/logout'));
    expect(routes.length).toBeGreaterThan(100);
    for (const route of routes) {
      const hasParams = /[:*]\w+/.test(route.path);
      await fc.assert(
        fc.asyncProperty(malformedEncoding, fc.boolean(), async (bad, signedIn) => {
          // A route with parameters gets the bad text in each; one without gets it as an extra segment.
          const url = hasParams ? route.path.replace(/[:*](\w+)/g, bad) : `${route.path.replace(/\/$/, '')}/${bad}`;
          let req;
          if (!signedIn) req = request(t.app)[route.method](url);
          else if (url.startsWith('/api/'))
            req = request(t.app)[route.method](url).set('Authorization', `Bearer ${w.tokens.ohAdmin}`);
          else req = agent[route.method](url);
          const res = await req;
          expectOwnErrorFormat(url, res);
          // Where a route's pattern matched the address, its parameter could not be decoded: 400.
          if (hasParams) expect(res.status, `${route.method} ${url}`).toBe(400);
        }),
        { numRuns: 6 },
      );
    }
  }, 180_000);
});
