import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policies } from '../../src/auth/access-policy.js';
import type { RouteDefinition } from '../../src/web/route-registry.js';
import { messagesFor, unplainWords } from '../support/plain-words.js';
import { createTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** A concrete URL for a route pattern. */
export function concretePath(route: Pick<RouteDefinition, 'path'>): string {
  return route.path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000').replace(/\*(\w+)/g, 'missing.svg');
}

describe('route registry', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform();
  });
  afterAll(async () => t.destroy());

  it('when the registry is enumerated, then every route declares one of the access policies', () => {
    const known = new Set(Object.values(policies));
    const routes = t.platform.app.registry.list();
    expect(routes.length).toBeGreaterThan(20);
    const withoutPolicy = routes.filter((r) => !known.has(r.policy)).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(withoutPolicy).toEqual([]);
  });

  it('when the express app is inspected, then it serves no route that is not in the registry', () => {
    const registered = new Set(t.platform.app.registry.list().map((r) => `${r.method} ${r.path}`));
    const stack = (
      t.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }
    ).router.stack;
    const mounted = stack.flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods)
            .filter((m) => m !== '_all')
            .map((m) => `${m} ${layer.route!.path}`)
        : [],
    );
    expect(mounted.length).toBe(registered.size);
    expect(mounted.filter((m) => !registered.has(m))).toEqual([]);
  });

  it('when the OpenAPI document is built, then every API route is in it', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const missing = t.platform.app.registry
      .list()
      .filter((r) => r.kind === 'api')
      .filter((r) => !doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method]);
    expect(missing.map((r) => r.path)).toEqual([]);
  });

  it('when no one is signed in, then every protected page redirects to sign-in, every protected API route answers 401 JSON and every partner FHIR route 401 OperationOutcome', async () => {
    const problems: string[] = [];
    for (const route of t.platform.app.registry.list()) {
      if (route.policy.roles === null) continue;
      const res = await request(t.app)
        [route.method](concretePath(route))
        .type(route.kind === 'api' ? 'json' : 'form');
      if (route.kind === 'fhir') {
        if (
          res.status !== 401 ||
          res.body?.resourceType !== 'OperationOutcome' ||
          res.body.issue?.[0]?.code !== 'login'
        )
          problems.push(`${route.method} ${route.path} → ${res.status}`);
      } else if (route.kind === 'page') {
        if (res.status !== 303 || !String(res.headers.location).startsWith('/login'))
          problems.push(`${route.method} ${route.path} → ${res.status}`);
      } else if (res.status !== 401 || res.body?.error?.code !== 'unauthenticated') {
        problems.push(`${route.method} ${route.path} → ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('when a GET page is requested signed out, then the redirect remembers where to return', async () => {
    const res = await request(t.app).get('/people?q=jones');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?returnTo=%2Fpeople%3Fq%3Djones');
  });

  it('when an unknown page or API path is requested, then 404 in the right shape', async () => {
    const page = await request(t.app).get('/no-such-page');
    expect(page.status).toBe(404);
    expect(page.text).toContain('Page not found');
    const api = await request(t.app).get('/api/v1/no-such-thing');
    expect(api.status).toBe(404);
    expect(api.body).toEqual({ error: { code: 'not-found', message: expect.any(String) } });
  });

  it('when a page is served, then the security headers forbid inline script and framing', async () => {
    const res = await request(t.app).get('/login');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('when health is checked, then liveness and readiness answer', async () => {
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(t.app).get('/readyz');
    // The job runner is not started in tests, so the platform says it is not ready yet.
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toBe('ok');
    await t.platform.jobs.start();
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    await t.platform.jobs.runner.stop();
  });

  it('when every API route’s params, query and body schemas are given an empty and a wrong-typed object, then each message is a plain sentence (issue 15 §1)', () => {
    const problems: string[] = [];
    const routes = t.platform.app.registry.list().filter((r) => r.api);
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) {
      for (const [part, schema] of Object.entries({
        params: route.api!.params,
        query: route.api!.query,
        body: route.api!.body,
      })) {
        if (!schema) continue;
        for (const m of messagesFor(schema)) {
          const why = unplainWords(m.message);
          if (why)
            problems.push(`${route.method} ${route.path} ${part} (${m.input}) ${m.field}: "${m.message}" is ${why}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
