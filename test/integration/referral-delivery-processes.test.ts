import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

/**
 * Delivery across processes (issue 6 §3): a sender killed with SIGKILL mid-delivery and
 * restarted, and two senders at once. The partner must hold each referral exactly once.
 */
describe('referral delivery across processes', () => {
  let t: TestPlatform;
  let w: World;
  let d: ReturnType<typeof deliveryWorld>;
  const partners: PartnerProcess[] = [];

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
    await d.consent();
  });
  afterAll(async () => {
    await Promise.all(partners.map((p) => p.stop()));
    await t?.destroy();
  });

  function worker(now: Date): { done: Promise<number | null>; output: () => string; kill: () => void } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/support/delivery-worker.ts'], {
      env: { ...process.env, DELIVERY_DB: JSON.stringify(t.database.config), DELIVERY_NOW: now.toISOString() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (x) => (out += String(x)));
    child.stderr.on('data', (x) => (out += String(x)));
    return {
      done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
      output: () => out,
      kill: () => child.kill('SIGKILL'),
    };
  }

  it('when the sender is killed with SIGKILL while the partner is answering, then after a restart the partner holds exactly one ServiceRequest', async () => {
    const partner = await startPartnerProcess({ delayMs: 5000 });
    partners.push(partner);
    await d.partnerService(partner.url, 'bars');
    const referralId = await d.sharedReferral();
    const a = worker(t.clock.now());
    // Killed once the partner has the referral but before its answer arrives.
    const deadline = Date.now() + 60_000;
    while ((await d.atPartner(partner.url, referralId)) === 0) {
      if (Date.now() > deadline) throw new Error(`the sender never reached the partner:\n${a.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    a.kill();
    expect(await a.done).toBeNull();
    expect(await d.delivery(referralId)).toMatchObject({ status: 'queued' });
    // The restart, after the dead sender's lease: it sends the same message again, which the partner recognises.
    const b = worker(new Date(t.clock.now().getTime() + 10 * 60_000));
    expect(await b.done).toBe(0);
    expect(await d.delivery(referralId)).toMatchObject({ status: 'sent' });
    expect(await d.atPartner(partner.url, referralId)).toBe(1);
  });

  it('when two senders run at once, then every referral is delivered exactly once', async () => {
    const partner = await startPartnerProcess();
    partners.push(partner);
    await d.partnerService(partner.url, 'rest');
    const referrals: string[] = [];
    for (let i = 0; i < 6; i += 1) referrals.push(await d.sharedReferral());
    const now = new Date(t.clock.now().getTime() + 20 * 60_000);
    const [a, b] = [worker(now), worker(now)];
    expect([await a.done, await b.done]).toEqual([0, 0]);
    for (const id of referrals) {
      expect(await d.delivery(id)).toMatchObject({ status: 'sent' });
      expect(await d.atPartner(partner.url, id)).toBe(1);
    }
  });
});
