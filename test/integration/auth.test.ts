import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { TOKEN_CACHE_MS } from '../../src/auth/auth-service.js';
import { prepareFirstStart } from '../../src/server.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  TEST_PASSWORD,
  TEST_TOTP_SECRET,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';
import { startSmtpServer } from '../support/smtp-server.js';

async function loginForm(t: TestPlatform) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  return { agent, csrf: csrfFrom(page.text), cookie: String(page.headers['set-cookie']) };
}

describe('signing in', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when the session cookie is set, then it is HttpOnly and SameSite=Lax', async () => {
    const { cookie } = await loginForm(t);
    expect(cookie).toMatch(/blp\.sid=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('when a staff member signs in with the right password, then they reach their home page', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Welcome, staff');
  });

  it('when the password is wrong, then the form comes back with an error and no session', async () => {
    const { agent, csrf } = await loginForm(t);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: w.users.hr.email, password: 'wrong-password-here', _csrf: csrf });
    expect(res.status).toBe(401);
    expect(res.text).toContain('The email address or password is not right');
    expect(res.text).toContain(`value="${w.users.hr.email}"`);
    expect((await agent.get('/')).status).toBe(303);
  });

  it('when the form is empty, then 422 with an error beside each field', async () => {
    const { agent, csrf } = await loginForm(t);
    const res = await agent.post('/login').type('form').send({ email: '', password: '', _csrf: csrf });
    expect(res.status).toBe(422);
    expect(res.text).toContain('nhsuk-error-summary');
    expect(res.text).toContain('Enter your email address');
    expect(res.text).toContain('Enter your password');
  });

  it('when the CSRF token is missing, then the form post is refused', async () => {
    const { agent } = await loginForm(t);
    const res = await agent.post('/login').type('form').send({ email: w.users.staff.email, password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('expired');
  });

  it('when the password is wrong five times, then the account locks even for the right password, and unlocks later', async () => {
    const email = w.users.partnerHr.email;
    for (let i = 0; i < 5; i++) {
      const { agent, csrf } = await loginForm(t);
      await agent
        .post('/login')
        .type('form')
        .send({ email, password: `wrong-${i}-password`, _csrf: csrf });
    }
    const { agent, csrf } = await loginForm(t);
    const locked = await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf: csrf });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('locked');
    t.clock.advance(16 * 60_000);
    const later = await loginForm(t);
    const ok = await later.agent
      .post('/login')
      .type('form')
      .send({ email, password: TEST_PASSWORD, _csrf: later.csrf });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/');
  });

  it('when an OH clinician has given the password only, then nothing is reachable until the code is entered', async () => {
    const { agent, csrf } = await loginForm(t);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: w.users.clinician.email, password: TEST_PASSWORD, _csrf: csrf });
    expect(res.headers.location).toBe('/login/mfa');
    const home = await agent.get('/people');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login/mfa');
    const mfaPage = await agent.get('/login/mfa');
    const wrong = await agent
      .post('/login/mfa')
      .type('form')
      .send({ code: '000000', _csrf: csrfFrom(mfaPage.text) });
    expect(wrong.status).toBe(422);
    t.clock.advance(30_000);
    const right = await agent
      .post('/login/mfa')
      .type('form')
      .send({ code: totpCode(TEST_TOTP_SECRET, t.clock.now()), _csrf: csrfFrom(mfaPage.text) });
    expect(right.status).toBe(303);
    expect((await agent.get('/people')).status).toBe(200);
  });

  it('when a TOTP code has been used once, then it cannot be used again', async () => {
    t.clock.advance(30_000);
    const code = totpCode(TEST_TOTP_SECRET, t.clock.now());
    const first = await loginForm(t);
    await first.agent
      .post('/login')
      .type('form')
      .send({ email: w.users.sysadmin.email, password: TEST_PASSWORD, _csrf: first.csrf });
    const p1 = await first.agent.get('/login/mfa');
    expect(
      (
        await first.agent
          .post('/login/mfa')
          .type('form')
          .send({ code, _csrf: csrfFrom(p1.text) })
      ).status,
    ).toBe(303);
    const second = await loginForm(t);
    await second.agent
      .post('/login')
      .type('form')
      .send({ email: w.users.sysadmin.email, password: TEST_PASSWORD, _csrf: second.csrf });
    const p2 = await second.agent.get('/login/mfa');
    expect(
      (
        await second.agent
          .post('/login/mfa')
          .type('form')
          .send({ code, _csrf: csrfFrom(p2.text) })
      ).status,
    ).toBe(422);
  });

  it('when an MFA role has not enrolled, then sign-in goes through enrolment and the secret is stored', async () => {
    const { user, setPasswordToken } = await t.platform.services.auth.createUser(
      { actor: null, requestId: 'test', ip: null },
      {
        email: 'new.clinician@test.example',
        displayName: 'New Clinician',
        roles: ['oh-clinician'],
        organisationId: w.host.id,
        password: 'a-long-enough-password',
      },
    );
    expect(setPasswordToken).toBeNull();
    const { agent, csrf } = await loginForm(t);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ email: user.email, password: 'a-long-enough-password', _csrf: csrf });
    expect(res.headers.location).toBe('/mfa/setup');
    const setup = await agent.get('/mfa/setup');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(setup.text)?.[1];
    expect(secret).toBeDefined();
    expect(setup.text).toContain('<svg');
    const done = await agent
      .post('/mfa/setup')
      .type('form')
      .send({ code: totpCode(secret!, t.clock.now()), _csrf: csrfFrom(setup.text) });
    expect(done.status).toBe(303);
    expect((await agent.get('/')).status).toBe(200);
    const stored = await t.platform.repositories.users.findById(user.id);
    expect(stored?.totpSecret).toBe(secret);
    expect(stored?.mfaEnrolledAt).not.toBeNull();
  });

  it('when a user signs out everywhere, then their other sessions end too', async () => {
    const a = await signIn(t, w.users.hr.email);
    const b = await signIn(t, w.users.hr.email);
    expect((await b.get('/')).status).toBe(200);
    const page = await a.get('/account');
    expect(
      (
        await a
          .post('/logout-everywhere')
          .type('form')
          .send({ _csrf: csrfFrom(page.text) })
      ).status,
    ).toBe(303);
    const after = await b.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('when an API token is revoked or expires, then it no longer authenticates', async () => {
    const auth = t.platform.services.auth;
    const ctx = { actor: null, requestId: 'test', ip: null };
    const { token, record } = await auth.createToken(ctx, w.users.hr, {
      name: 'short',
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    const call = () => request(t.app).get('/api/v1/units').set('Authorization', `Bearer ${token}`);
    expect((await call()).status).toBe(200);
    t.clock.advance(120_000);
    expect((await call()).status).toBe(401);
    const second = await auth.createToken(ctx, w.users.hr, { name: 'revoke-me' });
    expect((await request(t.app).get('/api/v1/units').set('Authorization', `Bearer ${second.token}`)).status).toBe(200);
    expect(await auth.revokeToken(ctx, w.users.hr.id, second.record.id)).toBe(true);
    expect((await request(t.app).get('/api/v1/units').set('Authorization', `Bearer ${second.token}`)).status).toBe(401);
    expect(record.id).not.toBe(second.record.id);
    const stored = await t.database.db('api_tokens').where({ id: second.record.id }).first();
    expect(stored.token_hash).not.toContain(second.token.slice(4));
  });

  it('when another process revokes a token, then this process refuses it within the token cache time', async () => {
    const ctx = { actor: null, requestId: 'test', ip: null };
    const { token, record } = await t.platform.services.auth.createToken(ctx, w.users.ohAdmin, { name: 'elsewhere' });
    const call = () => request(t.app).get('/api/v1/units').set('Authorization', `Bearer ${token}`);
    expect((await call()).status).toBe(200);
    // As another app process would: straight to the database, bypassing this process's cache.
    await t.database.db('api_tokens').where({ id: record.id }).update({ revoked_at: t.clock.now().toISOString() });
    t.clock.advance(TOKEN_CACHE_MS + 1);
    expect((await call()).status).toBe(401);
  });

  it('when a user is disabled, then their token and sessions stop working', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    await t.platform.services.auth.setDisabled(
      { actor: null, requestId: 'test', ip: null },
      w.users.lineManager.id,
      true,
    );
    expect((await agent.get('/')).status).toBe(303);
    expect(
      (await request(t.app).get('/api/v1/units').set('Authorization', `Bearer ${w.tokens.lineManager}`)).status,
    ).toBe(401);
  });

  it('when a user is created without a password, then the one-time link sets it once', async () => {
    const { user, setPasswordToken } = await t.platform.services.auth.createUser(
      { actor: null, requestId: 'test', ip: null },
      { email: 'linked@test.example', displayName: 'Linked', roles: ['hr-manager'], organisationId: w.host.id },
    );
    const url = `/set-password/${setPasswordToken}`;
    const agent = request.agent(t.app);
    const form = await agent.get(url);
    expect(form.status).toBe(200);
    const short = await agent
      .post(url)
      .type('form')
      .send({ password: 'short', confirm: 'short', _csrf: csrfFrom(form.text) });
    expect(short.status).toBe(422);
    expect(
      (
        await agent
          .post(url)
          .type('form')
          .send({ password: 'a-much-longer-password', confirm: 'a-much-longer-password', _csrf: csrfFrom(form.text) })
      ).status,
    ).toBe(303);
    expect((await agent.get(url)).status).toBe(404);
    await signIn(t, user.email, { password: 'a-much-longer-password' });
  });

  it('when the language is switched to Welsh, then the sign-in page is in Welsh', async () => {
    const { agent, csrf } = await loginForm(t);
    await agent.post('/language').type('form').send({ lang: 'cy', returnTo: '/login', _csrf: csrf });
    const page = await agent.get('/login');
    expect(page.text).toContain('<html lang="cy">');
    expect(page.text).toContain('Mewngofnodi');
    const empty = await agent
      .post('/login')
      .type('form')
      .send({ email: '', password: '', _csrf: csrfFrom(page.text) });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Mae problem');
    expect(empty.text).toContain('Rhowch eich cyfeiriad e-bost');
    expect(empty.text).toContain('Rhowch eich cyfrinair');
  });
});

describe('sign-in rate limit', () => {
  it('when an account is locked, then it answers exactly as an address with no account does, with Retry-After (issue 14 defect 11)', async () => {
    /** Five wrong passwords for `email`, then the right one: the answers a stranger would see. */
    const probe = async (t: TestPlatform, email: string) => {
      const answers: Array<{ status: number; retryAfter: unknown; message: string | undefined }> = [];
      for (let i = 0; i < 6; i++) {
        const { agent, csrf } = await loginForm(t);
        const res = await agent
          .post('/login')
          .type('form')
          .send({ email, password: i < 5 ? `wrong-${i}-password` : TEST_PASSWORD, _csrf: csrf });
        answers.push({
          status: res.status,
          retryAfter: res.headers['retry-after'],
          message: /id="email-error">([\s\S]*?)<\/span>\s*</.exec(res.text)?.[1],
        });
      }
      return answers;
    };
    const t = await createTestPlatform();
    try {
      const w = await buildWorld(t);
      const known = await probe(t, w.users.lineManager.email);
      const unknown = await probe(t, 'no-such-person@test.example');
      expect(unknown).toEqual(known);
      expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 429, 429]);
      expect(Number(known[4]!.retryAfter)).toBe(15 * 60);
      expect(Number(known[5]!.retryAfter)).toBeGreaterThan(0);
      expect(known[0]!.retryAfter).toBeUndefined();
    } finally {
      await t.destroy();
    }
  });

  it('when wrong MFA codes come from many addresses, then a pending sign-in starts again after three, the account locks after five even for the right code, and its holder is emailed (issue 14 defect 8)', async () => {
    const smtp = await startSmtpServer();
    const t = await createTestPlatform({ SMTP_URL: smtp.url, TRUST_PROXY: 'true' });
    try {
      const w = await buildWorld(t);
      const email = w.users.clinician.email;
      let address = 0;
      /** A pending sign-in from an address of its own: the password given, the code still to come. */
      const pending = async () => {
        const from = `198.51.100.${++address}`;
        const agent = request.agent(t.app);
        const page = await agent.get('/login').set('X-Forwarded-For', from);
        const res = await agent
          .post('/login')
          .set('X-Forwarded-For', from)
          .type('form')
          .send({ email, password: TEST_PASSWORD, _csrf: csrfFrom(page.text) });
        expect(res.headers.location).toBe('/login/mfa');
        const mfa = await agent.get('/login/mfa').set('X-Forwarded-For', from);
        const code = (value: string) =>
          agent
            .post('/login/mfa')
            .set('X-Forwarded-For', from)
            .type('form')
            .send({ code: value, _csrf: csrfFrom(mfa.text) });
        return { agent, code };
      };
      const wrong = () => (totpCode(TEST_TOTP_SECRET, t.clock.now()) === '000000' ? '111111' : '000000');
      const waiting = await pending();
      const first = await pending();
      expect((await first.code(wrong())).status).toBe(422);
      expect((await first.code(wrong())).status).toBe(422);
      const third = await first.code(wrong());
      expect(third.status).toBe(401);
      expect(third.text).toContain('Sign in again with your password');
      const second = await pending();
      expect((await second.code(wrong())).status).toBe(422);
      const locked = await second.code(wrong());
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
      // The right code, from a sign-in begun before the lock, is refused too.
      t.clock.advance(30_000);
      const right = await waiting.code(totpCode(TEST_TOTP_SECRET, t.clock.now()));
      expect(right.status).toBe(429);
      expect((await waiting.agent.get('/')).status).not.toBe(200);
      await t.platform.jobs.runner.runDue();
      const told = smtp.received.filter((m) => m.to.includes(email));
      expect(told).toHaveLength(1);
      expect(told[0]!.raw).toContain('locked');
      // Later it unlocks, and the right code signs in.
      t.clock.advance(16 * 60_000);
      expect((await (await signIn(t, email)).get('/')).status).toBe(200);
    } finally {
      await t.destroy();
      await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    }
  });

  it('when many people sign in successfully from one address, then none is refused: only failures count (issue 14 defect 8)', async () => {
    const t = await createTestPlatform();
    try {
      const w = await buildWorld(t);
      // Each sign-in is a password and a code: 20 of them were 40 requests, past the old shared limit of 30.
      for (let i = 0; i < 20; i++) await signIn(t, w.users.clinician.email);
      expect((await (await signIn(t, w.users.ohAdmin.email)).get('/')).status).toBe(200);
    } finally {
      await t.destroy();
    }
  });

  it('when the set-password form fails often from one address, then it is limited on its own and sign-in still works (issue 14 defect 8)', async () => {
    const t = await createTestPlatform();
    try {
      const w = await buildWorld(t);
      const { agent, csrf } = await loginForm(t);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push(
          (await agent.post('/set-password/not-a-link').type('form').send({ password: 'x', _csrf: csrf })).status,
        );
      }
      expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
      expect(statuses[10]).toBe(429);
      expect((await (await signIn(t, w.users.staff.email)).get('/')).status).toBe(200);
    } finally {
      await t.destroy();
    }
  });

  it('when one address tries to sign in too often, then it is slowed down with 429 and Retry-After', async () => {
    const t = await createTestPlatform();
    try {
      const { agent, csrf } = await loginForm(t);
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        statuses.push(
          (
            await agent
              .post('/login')
              .type('form')
              .send({ email: `nobody${i}@test.example`, password: 'not-the-password', _csrf: csrf })
          ).status,
        );
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      const limited = await agent
        .post('/login')
        .type('form')
        .send({ email: 'nobody@test.example', password: 'x', _csrf: csrf });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.destroy();
    }
  });
});

describe('first start in production', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await createTestPlatform({
      NODE_ENV: 'production',
      SECURE_COOKIES: 'false',
      SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    });
  });
  afterAll(async () => t.destroy());

  it('when there are no users, then a one-time set-up link creates the first administrator and the force, once', async () => {
    const first = await prepareFirstStart(t.platform);
    expect(first.demo).toBeUndefined();
    const path = new URL(first.setupLink!).pathname;
    expect(await t.database.db('people').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    const agent = request.agent(t.app);
    const form = await agent.get(path);
    expect(form.status).toBe(200);
    const missingForce = await agent
      .post(path)
      .type('form')
      .send({
        displayName: 'Ada',
        email: 'ada@force.example',
        password: 'a-long-admin-password',
        confirm: 'a-long-admin-password',
        _csrf: csrfFrom(form.text),
      });
    expect(missingForce.status).toBe(422);
    const done = await agent
      .post(path)
      .type('form')
      .send({
        organisationName: 'Example Constabulary',
        displayName: 'Ada',
        email: 'ada@force.example',
        password: 'a-long-admin-password',
        confirm: 'a-long-admin-password',
        _csrf: csrfFrom(form.text),
      });
    expect(done.status).toBe(303);
    const admin = await t.platform.repositories.users.findByEmail('ada@force.example');
    expect(admin?.roles).toEqual(['system-administrator']);
    expect((await agent.get(path)).status).toBe(404);
    expect((await prepareFirstStart(t.platform)).setupLink).toBeUndefined();
  });
});
