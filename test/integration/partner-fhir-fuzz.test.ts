import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Task } from '@medplum/fhirtypes';
import { REFERRAL_SYSTEM, REFERRAL_TASK_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { newId } from '../../src/shared/ids.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import { registerPartnerClient } from '../support/partner-client.js';
import { buildWorld, createTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A value of another kind than `original`: never what FHIR JSON allows in its place. */
function wrongKind(original: unknown): fc.Arbitrary<Json> {
  const kinds: Array<fc.Arbitrary<Json>> = [fc.constant(null)];
  if (typeof original !== 'string') kinds.push(fc.string({ maxLength: 20 }));
  if (typeof original !== 'number') kinds.push(fc.integer());
  if (typeof original !== 'boolean') kinds.push(fc.boolean());
  if (!Array.isArray(original)) kinds.push(fc.array(fc.integer(), { minLength: 1, maxLength: 3 }));
  // Objects whose keys include the ones JavaScript gives every object, which naive code trips over.
  const key = fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.constantFrom('valueOf', 'toString', 'constructor', 'hasOwnProperty'),
  );
  if (typeof original !== 'object' || original === null || Array.isArray(original))
    kinds.push(fc.dictionary(key, fc.integer(), { minKeys: 1, maxKeys: 3 }));
  return fc.oneof(...kinds);
}

/** A valid body broken once: a field (top level or one down) of the wrong kind, an unknown field, or the resource type changed. */
function broken(valid: Record<string, Json>): fc.Arbitrary<Json> {
  const paths: string[][] = [];
  for (const [k, v] of Object.entries(valid)) {
    if (k === 'resourceType') continue;
    paths.push([k]);
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const k2 of Object.keys(v)) paths.push([k, k2]);
    if (Array.isArray(v) && v[0] && typeof v[0] === 'object' && !Array.isArray(v[0]))
      for (const k2 of Object.keys(v[0])) paths.push([k, '0', k2]);
  }
  const replaced = fc.constantFrom(...paths).chain((path) => {
    let original: unknown = valid;
    for (const p of path) original = (original as Record<string, unknown>)[p];
    return wrongKind(original).map((value) => {
      const copy = structuredClone(valid) as Record<string, Json>;
      let at: Record<string, Json> = copy;
      for (const p of path.slice(0, -1)) at = at[p] as Record<string, Json>;
      at[path.at(-1)!] = value;
      return copy as Json;
    });
  });
  const extra = fc
    .tuple(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter((k) => !(k in valid) && !k.startsWith('_') && k !== '__proto__'),
      fc.jsonValue(),
    )
    .map(([k, v]) => ({ ...valid, [k]: v as Json }));
  const retyped = fc.constantFrom('Patient', 'Foo', '', 'bundle').map((resourceType) => ({ ...valid, resourceType }));
  return fc.oneof(replaced, extra, retyped);
}

/**
 * Issue 6 acceptance: randomly malformed FHIR bodies (property-based, 1,000 of them) sent to every
 * partner-facing endpoint that takes one are each answered 4xx with an OperationOutcome; none is a
 * 500, and nothing held changes.
 */
describe('partner-facing FHIR API under malformed bodies', () => {
  let t: TestPlatform;
  let partner: PartnerProcess;
  let token: string;
  let task: Task;
  let referralId: string;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    const w = await buildWorld(t);
    const d = deliveryWorld(t, w);
    partner = await startPartnerProcess();
    await d.partnerService(partner.url, 'rest');
    await d.consent();
    referralId = await d.sharedReferral();
    await t.platform.jobs.runner.runDue();
    token = await (await registerPartnerClient(t, w, w.healthBoard.id)).token();
    const found = await request(t.app)
      .get(`/fhir/R4/Task?identifier=${encodeURIComponent(`${REFERRAL_TASK_SYSTEM}|${referralId}`)}`)
      .set('Authorization', `Bearer ${token}`);
    task = (found.body as Bundle<Task>).entry![0]!.resource!;
  });
  afterAll(async () => {
    await partner?.stop();
    await t?.destroy();
  });

  it('when 1,000 malformed bodies are sent, then every answer is a 4xx OperationOutcome and nothing changes', async () => {
    const { meta: _meta, ...taskBody } = task;
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'HBsAg' },
      valueString: 'Not detected',
      basedOn: [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }],
    };
    const report = {
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: { text: 'BBV screen' },
      basedOn: [{ identifier: { system: REFERRAL_SYSTEM, value: referralId } }],
    };
    const message = {
      resourceType: 'Bundle',
      id: newId(),
      type: 'message',
      entry: [
        {
          resource: {
            resourceType: 'MessageHeader',
            eventCoding: {
              system: 'https://fhir.nhs.uk/CodeSystem/message-events-bars',
              code: 'servicerequest-response',
            },
            source: { endpoint: 'x' },
            response: { identifier: newId(), code: 'ok' },
          },
        },
      ],
    };
    const transaction = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `urn:uuid:${newId()}`, resource: observation, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const targets: Array<{ method: 'put' | 'post'; path: string; valid: Record<string, Json> }> = [
      { method: 'put', path: `/fhir/R4/Task/${task.id}`, valid: taskBody as unknown as Record<string, Json> },
      { method: 'post', path: '/fhir/R4/$process-message', valid: message as unknown as Record<string, Json> },
      { method: 'post', path: '/fhir/R4/DiagnosticReport', valid: report as unknown as Record<string, Json> },
      { method: 'post', path: '/fhir/R4/Observation', valid: observation as unknown as Record<string, Json> },
      { method: 'post', path: '/fhir/R4', valid: transaction as unknown as Record<string, Json> },
    ];
    const body = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...targets.keys())
          .chain((i) => broken(targets[i]!.valid).map((b) => ({ target: i, body: JSON.stringify(b) }))),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.nat(targets.length - 1), fc.jsonValue())
          .map(([target, b]) => ({ target, body: JSON.stringify(b) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.nat(targets.length - 1), fc.string({ maxLength: 60 }))
          .map(([target, b]) => ({ target, body: b })),
      },
    );
    const answers = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async ({ target, body: raw }) => {
        const { method, path } = targets[target]!;
        const res = await request(t.app)
          [method](path)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', 'application/fhir+json')
          .send(raw);
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        expect(
          res.status,
          `${method} ${path} ${raw.slice(0, 300)} → ${JSON.stringify(res.body).slice(0, 300)}`,
        ).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(res.body.issue[0].severity).toBe('error');
      }),
      { numRuns: 1000 },
    );
    expect([...answers.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    const after = await request(t.app).get(`/fhir/R4/Task/${task.id}`).set('Authorization', `Bearer ${token}`);
    expect(after.body.meta.versionId).toBe(task.meta!.versionId);
    expect(
      await t.database.db('fhir_resources').whereIn('resource_type', ['DiagnosticReport', 'Observation']),
    ).toHaveLength(0);
    expect(await t.database.db('inbound_messages')).toHaveLength(0);
  });
});
