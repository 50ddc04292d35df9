import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Bundle } from '@medplum/fhirtypes';
import type { Actor } from '../src/auth/actor.js';
import { loadConfig } from '../src/config/config.js';
import { isPostgres } from '../src/db/knex.js';
import { fhirClient } from '../src/fhir/core/fhir-client.js';
import { REFERRAL_SYSTEM, REFERRAL_TASK_SYSTEM } from '../src/fhir/delivery/referral-bundle.js';
import { MAX_IN_FLIGHT } from '../src/fhir/delivery/referral-delivery-service.js';
import { buildPlatform, JOB_LANES, type Platform } from '../src/server.js';
import { fixedClock } from '../src/shared/clock.js';
import { newId, randomSecret } from '../src/shared/ids.js';
import { createLogger } from '../src/shared/logger.js';
import type { RequestContext } from '../src/shared/request-context.js';
import { createBenchDatabase, dropBenchDatabase, type BenchDatabase } from './support/bench-database.js';
import { loadAtStart } from './support/machine.js';
import { readProcessCpuSeconds, readThreadCpuSeconds } from './support/server-process.js';
import { UsageError, wholeOption } from './support/usage-error.js';

/**
 * The FHIR exchange benchmark (issue 6 §7). (a) Referrals through the whole pipeline — the
 * consent gate and outbox as a clinician shares each, then the delivery worker: the gate again,
 * mapping, validation and sending with fhir-kit-client to a loopback @medplum/fhir-router partner
 * in its own process — against (b) the same Bundles posted directly with fhir-kit-client to a
 * second, fresh partner process, at the same concurrency, in the same run. Then (c) the
 * partner-facing search over HTTP with a million resources stored. Targets are reported, never
 * asserted in a test.
 */

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const resultsDir = path.join(benchDir, 'results');
const TARGETS = { minPipelineShare: 0.5, minPipelinePerSecond: 200, maxSearchP95Ms: 50 } as const;
/** Partner organisations the stored resources are spread over (the searching partner sees its share). */
const PARTNERS = 20;
const SEARCH_WARMUP = 20;

export const FHIR_USAGE = `npm run bench -- fhir [--referrals N] [--resources N] [--searches N] [--mode bars|rest] [--concurrency N] [--lanes N]

  Shares N referrals under consent (filling the outbox), then times the delivery worker taking
  them to a loopback @medplum/fhir-router partner (its own process) — the gate again, mapping,
  validation, sending, recording — against the same Bundles posted directly with fhir-kit-client
  to a fresh partner, as many at a time as the worker may have in flight; prints both rates and their ratio. Then stores N resources
  addressed to ${PARTNERS} partners and times the partner-facing search over HTTP.
  --referrals    referrals through the pipeline (default 10000)
  --resources    resources stored for the search (default 1000000)
  --searches     searches measured (default 300, after ${SEARCH_WARMUP} unmeasured)
  --mode         how the partner takes referrals: bars ($process-message) or rest (transaction) (default bars)
  --concurrency  shares at a time (default 4)
  --lanes        the job runner's lanes (default ${JOB_LANES}, as npm start runs it); the direct posts go ${MAX_IN_FLIGHT} × lanes at a time, as many as the worker may have in flight
  --profile      write a CPU profile of the delivery phase to bench/results (for chrome://inspect)
  Uses SQLite in a temporary directory, or a throwaway database on the PostgreSQL server DATABASE_URL names.`;

interface Options {
  profile: boolean;
  referrals: number;
  resources: number;
  searches: number;
  mode: 'bars' | 'rest';
  concurrency: number;
  lanes: number;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: 'boolean', default: false },
      referrals: { type: 'string', default: '10000' },
      resources: { type: 'string', default: '1000000' },
      searches: { type: 'string', default: '300' },
      mode: { type: 'string', default: 'bars' },
      concurrency: { type: 'string', default: '4' },
      lanes: { type: 'string', default: String(JOB_LANES) },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.mode !== 'bars' && values.mode !== 'rest')
    throw new UsageError(`--mode must be bars or rest, not ${values.mode}`);
  return {
    profile: values.profile,
    referrals: wholeOption('referrals', values.referrals, 10),
    resources: wholeOption('resources', values.resources, 1000),
    searches: wholeOption('searches', values.searches, 10),
    mode: values.mode,
    concurrency: wholeOption('concurrency', values.concurrency, 1),
    lanes: wholeOption('lanes', values.lanes, 1),
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CPU profile of this process from now until stop(), written to bench/results. */
async function startProfile(): Promise<{ stop(name: string): Promise<string> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      fs.mkdirSync(resultsDir, { recursive: true });
      const file = path.join(resultsDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

interface CpuReading {
  own: NodeJS.CpuUsage;
  main: number | null;
  partner: number | null;
}

/**
 * CPU (user + system) used since `from`, in milliseconds: by this process (all threads), by its
 * JavaScript thread alone and by a partner process. The last two come from /proc: null where it
 * cannot be read (not Linux), never a made-up 0.
 */
function cpuSince(
  partner: ChildProcess,
  from?: CpuReading,
): CpuReading & { ownMs: number; mainMs: number | null; partnerMs: number | null } {
  const reading = {
    own: process.cpuUsage(),
    main: readThreadCpuSeconds(process.pid, process.pid),
    partner: partner.pid === undefined ? null : readProcessCpuSeconds(partner.pid),
  };
  const ownUsed = from ? process.cpuUsage(from.own) : { user: 0, system: 0 };
  const since = (now: number | null, then: number | null | undefined) =>
    now === null || then === null || then === undefined ? null : (now - then) * 1000;
  return {
    ...reading,
    ownMs: (ownUsed.user + ownUsed.system) / 1000,
    mainMs: since(reading.main, from?.main),
    partnerMs: since(reading.partner, from?.partner),
  };
}

/** Milliseconds of CPU a referral, or n/a when it could not be read. */
const perReferral = (ms: number | null, n: number) => (ms === null ? 'n/a' : `${fmt(ms / n, 2)} ms`);

/** A partner FHIR server in its own process (as the tests start it). */
async function startPartner(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/fhir/sandbox/partner-server.ts', '--port', '0', '--name', 'Benchmark partner'],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the partner exited with ${code}`)));
    readline
      .createInterface({ input: child.stdout! })
      .once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, child };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The world the referrals need: an NHS partner in the directory, staff, and each one's consent, pathway and handover referral waiting to be shared. */
async function prepareReferrals(
  platform: Platform,
  o: Options,
  partnerUrl: string,
): Promise<{ referralIds: string[]; boardId: string; ctx: RequestContext; admin: RequestContext }> {
  const { people, users } = platform.repositories;
  const now = platform.clock.now();
  const force = {
    id: newId(),
    name: 'Benchmark Force',
    kind: 'host-force' as const,
    odsCode: null,
    hostOrganisationId: null,
  };
  const board = {
    id: newId(),
    name: 'Benchmark Health Board',
    kind: 'nhs-partner' as const,
    odsCode: '7A9',
    hostOrganisationId: null,
  };
  for (const org of [force, board]) await people.insertOrganisation(org, now);
  // The OH clinician who shares them (a real user: pathways and referrals name who made them).
  const userId = newId();
  await users.insert(
    {
      id: userId,
      email: 'bench.clinician@example.invalid',
      displayName: 'Benchmark clinician',
      passwordHash: 'not-used',
      organisationId: force.id,
      personId: null,
      roles: ['oh-clinician', 'oh-administrator'],
      locale: 'en',
    },
    now,
  );
  const clinician: Actor = {
    userId,
    displayName: 'Benchmark clinician',
    email: 'bench.clinician@example.invalid',
    organisationId: force.id,
    personId: null,
    roles: ['oh-clinician', 'oh-administrator'],
    role: 'oh-clinician',
    via: 'token',
    locale: 'en',
  };
  const ctx: RequestContext = { actor: clinician, requestId: 'bench', ip: null };
  const admin: RequestContext = { ...ctx, actor: { ...clinician, role: 'oh-administrator' } };
  await platform.services.partners.create(admin, {
    organisationId: board.id,
    name: 'Benchmark MSK physiotherapy',
    serviceType: 'nhs-msk-physiotherapy',
    baseUrl: partnerUrl,
    mode: o.mode,
    auth: { kind: 'none' },
    pathways: ['msk'],
    enabled: true,
  });
  const staff = Array.from({ length: o.referrals }, (_, i) => ({
    id: newId(),
    organisationId: force.id,
    staffNumber: `B${String(i).padStart(7, '0')}`,
    collarNumber: null,
    givenName: 'Sam',
    familyName: `Bench${i}`,
    dateOfBirth: '1985-04-12' as const,
    nhsNumber: null,
    role: 'officer' as const,
    unitId: null,
    lineManagerId: null,
    serviceStartDate: '2010-09-01' as const,
    leavingDate: null,
    workingPattern: { kind: 'weekly' as const, days: [1, 2, 3, 4, 5] },
    protectedIdentity: false,
    workEmail: null,
    personalEmail: null,
  }));
  for (let i = 0; i < staff.length; i += 500) await people.insertPeople(staff.slice(i, i + 500), now);
  const referralIds: string[] = [];
  const t0 = performance.now();
  await pool(staff, 4, async (person) => {
    const consent = await platform.services.consent.request(admin, person.id, {
      kind: 'nhs-sharing',
      partnerOrganisationId: board.id,
      purpose: 'continuity-of-care',
      dataCategories: ['demographics', 'referral-details'],
      periodStart: '2027-01-01',
      periodEnd: null,
      description: 'Physiotherapy',
      noticeBy: 'letter',
    });
    await platform.services.consent.decide(admin, consent.consent.id, {
      decision: 'given',
      method: 'paper',
      witness: null,
      documentReference: 'BENCH',
      wishesToSeeReport: null,
    });
    const pathway = await platform.services.pathways.enrol(ctx, {
      personId: person.id,
      definition: 'msk',
      startedAt: now,
      source: 'clinician',
    });
    const { referral } = await platform.services.pathways.transfer(ctx, pathway.pathway.id, {
      service: 'nhs-msk-physiotherapy',
      reason: 'Knee pain after a fall on duty',
      priority: 'routine',
    });
    referralIds.push(referral.id);
    if (referralIds.length % 1000 === 0)
      log(`  prepared ${fmt(referralIds.length)} referrals (${fmt((performance.now() - t0) / 1000, 1)} s)`);
  });
  return { referralIds, boardId: board.id, ctx, admin };
}

/** 1,000,000 resources (or --resources) addressed to PARTNERS partners, in their table, for the search (untimed). */
async function storeResources(
  platform: Platform,
  count: number,
): Promise<{ organisationId: string; identifiers: string[]; taskFocus: string[] }> {
  const now = platform.clock.now();
  const orgs = Array.from({ length: PARTNERS }, (_, i) => ({
    id: newId(),
    name: `Search partner ${i}`,
    kind: 'nhs-partner' as const,
    odsCode: null,
    hostOrganisationId: null,
  }));
  for (const org of orgs) await platform.repositories.people.insertOrganisation(org, now);
  const types = ['ServiceRequest', 'Patient', 'Consent', 'QuestionnaireResponse', 'Task'] as const;
  const statuses: Record<(typeof types)[number], string[]> = {
    ServiceRequest: ['active', 'revoked'],
    Patient: [],
    Consent: ['active', 'inactive'],
    QuestionnaireResponse: ['completed'],
    Task: ['requested', 'received', 'accepted', 'in-progress', 'completed', 'rejected'],
  };
  const identifiers: string[] = [];
  const taskFocus: string[] = [];
  const t0 = performance.now();
  // SQLite writes a multi-row insert as one compound SELECT, at most 500 terms.
  const batch = 400;
  for (let n = 0; n < count; n += batch) {
    const rows = [];
    for (let i = n; i < Math.min(count, n + batch); i += 1) {
      const referral = Math.floor(i / types.length);
      const type = types[i % types.length]!;
      const org = orgs[referral % PARTNERS]!;
      const id = newId();
      const referralId = `bench-${referral}`;
      const at = new Date(now.getTime() - (count - i) * 1000).toISOString();
      const status = statuses[type][referral % Math.max(1, statuses[type].length)] ?? null;
      const reference =
        type === 'Task' ? `ServiceRequest/sr-${referral}` : type === 'Patient' ? null : `Patient/pt-${referral}`;
      const identifierSystem =
        type === 'Task'
          ? REFERRAL_TASK_SYSTEM
          : type === 'Patient'
            ? 'https://fhir.nhs.uk/Id/nhs-number'
            : REFERRAL_SYSTEM;
      const content = {
        resourceType: type,
        id,
        identifier: [{ system: identifierSystem, value: referralId }],
        ...(status ? { status } : {}),
        meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
        note: [{ text: 'Knee pain after a fall on duty; seen in the force occupational health clinic.' }],
      };
      if (org.id === orgs[0]!.id && type === 'ServiceRequest') identifiers.push(referralId);
      if (org.id === orgs[0]!.id && type === 'Task') taskFocus.push(`sr-${referral}`);
      rows.push({
        id,
        resource_type: type,
        partner_organisation_id: org.id,
        version: 1,
        last_updated: at,
        pathway_referral_id: null,
        person_id: null,
        pathway_id: null,
        consent_id: null,
        identifier_system: identifierSystem,
        identifier_value: referralId,
        status,
        reference,
        withheld_at: null,
        disclosable_until: null,
        created_by_client_id: null,
        content: JSON.stringify(content),
        created_at: at,
      });
    }
    await platform.db('fhir_resources').insert(rows);
    if ((n / batch) % 250 === 249)
      log(`  stored ${fmt(n + batch)} resources (${fmt((performance.now() - t0) / 1000, 1)} s)`);
  }
  if (isPostgres(platform.db)) await platform.db.raw('ANALYZE fhir_resources');
  else await platform.db.raw('ANALYZE');
  return { organisationId: orgs[0]!.id, identifiers, taskFocus };
}

export async function runFhirBenchmark(args: string[]): Promise<number> {
  const o = parseOptions(args);
  const load = loadAtStart(log);
  const serverUrl = process.env.DATABASE_URL;
  let bench: BenchDatabase | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-fhir-'));
  const partners: ChildProcess[] = [];
  let platform: Platform | null = null;
  try {
    if (serverUrl) bench = await createBenchDatabase(serverUrl);
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      SECRETS_KEY: Buffer.alloc(32, 9).toString('base64'),
      SECURE_COOKIES: 'false',
      ...(bench ? { DATABASE_URL: bench.url } : {}),
    });
    const clock = fixedClock('2027-01-04T09:00:00Z');
    // Partners on loopback answer over plain http: the benchmark's directory is not a production one.
    platform = await buildPlatform(
      { ...config, isProduction: false },
      { clock, logger: createLogger({ level: 'silent' }), jobLanes: o.lanes },
    );

    const pipelinePartner = await startPartner();
    const directPartner = await startPartner();
    partners.push(pipelinePartner.child, directPartner.child);
    log(
      `fhir: preparing ${fmt(o.referrals)} referrals awaiting consent to share (${bench ? 'PostgreSQL' : 'SQLite'}, ${o.mode})…`,
    );
    const { referralIds, boardId, ctx, admin } = await prepareReferrals(platform, o, pipelinePartner.url);

    // Clinicians share each (the gate, and the outbox row with its job, in one transaction): what the pipeline takes in.
    log('fhir: sharing under consent (the outbox fills)…');
    let statements = 0;
    const count = () => (statements += 1);
    platform.db.on('query', count);
    const a0 = performance.now();
    await pool(referralIds, o.concurrency, async (id) => {
      await platform!.services.pathwayReferrals.share(ctx, id, { partnerOrganisationId: boardId, dataCategories: [] });
    });
    const sharedMs = performance.now() - a0;
    log(
      `  shared in ${fmt(sharedMs / 1000, 1)} s with ${fmt(statements)} statements (${fmt(statements / o.referrals, 1)} a referral)`,
    );
    statements = 0;
    const profiler = o.profile ? await startProfile() : null;
    const d0 = performance.now();
    const cpu0 = cpuSince(pipelinePartner.child);
    // (a) The pipeline: the worker takes the outbox — the gate again, mapping, validation, delivery, recording — until every referral is at the partner.
    log('fhir: (a) the pipeline: delivering what the outbox holds…');
    const summary = await platform.jobs.runner.runDue();
    const cpu = cpuSince(pipelinePartner.child, cpu0);
    const pipelineMs = performance.now() - d0;
    if (profiler) log(`  delivery profile written to ${path.relative(root, await profiler.stop('fhir-delivery'))}`);
    platform.db.off('query', count);
    log(
      `  delivered in ${fmt(pipelineMs / 1000, 1)} s (CPU: this process ${fmt(cpu.ownMs / 1000, 1)} s, the partner ${cpu.partnerMs === null ? 'n/a' : `${fmt(cpu.partnerMs / 1000, 1)} s`}) with ${fmt(statements)} statements (${fmt(statements / o.referrals, 1)} a referral)`,
    );
    const sent = Number(
      (
        (await platform.db('referral_deliveries').where({ status: 'sent' }).count({ n: '*' })) as Array<{
          n: number | string;
        }>
      )[0]!.n,
    );
    if (sent !== o.referrals)
      throw new Error(`the pipeline delivered ${sent} of ${o.referrals} referrals (${JSON.stringify(summary)})`);

    // (b) The same Bundles, built as the worker built them, posted directly to a fresh partner.
    log('fhir: (b) the same Bundles posted directly with fhir-kit-client…');
    const deliveries = (await platform.db('referral_deliveries').select('id')) as Array<{ id: string }>;
    const bundles: Bundle[] = [];
    for (const d of deliveries) bundles.push((await platform.services.deliveries.bundleFor(d.id))!.bundle);
    const client = fhirClient(directPartner.url);
    const b0 = performance.now();
    const directCpu0 = cpuSince(directPartner.child);
    // As many in flight at once as the delivery worker may have: each lane's batch sends MAX_IN_FLIGHT at a time.
    await pool(bundles, MAX_IN_FLIGHT * o.lanes, async (bundle) => {
      if (o.mode === 'bars') await client.operation({ name: '$process-message', input: bundle as never });
      else await client.transaction({ body: bundle as never });
    });
    const directMs = performance.now() - b0;
    const directCpu = cpuSince(directPartner.child, directCpu0);
    const atPartner = (
      (await fhirClient(directPartner.url).search({
        resourceType: 'ServiceRequest',
        searchParams: { _count: '1', _total: 'accurate' },
      })) as unknown as Bundle
    ).total;

    // (c) The partner-facing search with a million resources stored.
    log(`fhir: (c) storing ${fmt(o.resources)} resources for ${PARTNERS} partners (untimed)…`);
    const stored = await storeResources(platform, o.resources);
    const clientId = `bench-${randomSecret(4)}`;
    const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    const partnerClient = await platform.services.partnerAuth.create(admin, {
      organisationId: stored.organisationId,
      name: 'Benchmark partner system',
      clientId,
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] },
      scopes: ['system/ServiceRequest.rs', 'system/Task.rs', 'system/Patient.rs'],
      enabled: true,
    });
    const iat = Math.floor(clock.now().getTime() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(platform.services.partnerAuth.tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 240)
      .setJti(newId())
      .sign(privateKey);
    const token = await platform.services.partnerAuth.issueToken(
      { actor: null, requestId: 'bench', ip: null },
      {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: partnerClient.scopes.join(' '),
      },
    );
    const server = platform.app.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`;
    const pick = <T>(list: T[], i: number) => list[(i * 7919) % list.length]!;
    const queries = [
      (i: number) =>
        `ServiceRequest?identifier=${encodeURIComponent(`${REFERRAL_SYSTEM}|${pick(stored.identifiers, i)}`)}`,
      () => 'Task?status=requested&_count=20',
      (i: number) => `Task?focus=ServiceRequest/${pick(stored.taskFocus, i)}`,
      () => 'ServiceRequest?_lastUpdated=ge2026-12-01&_count=20',
      (i: number) => `Patient?identifier=${encodeURIComponent(pick(stored.identifiers, i))}`,
    ];
    const samples: number[] = [];
    let nonOk = 0;
    for (let i = 0; i < SEARCH_WARMUP + o.searches; i += 1) {
      const url = `${base}/${queries[i % queries.length]!(i)}`;
      const t = performance.now();
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${token.access_token}`, Accept: 'application/fhir+json' },
      });
      const body = (await res.json()) as Bundle;
      const took = performance.now() - t;
      if (!res.ok || body.resourceType !== 'Bundle') nonOk += 1;
      if (i >= SEARCH_WARMUP) samples.push(took);
    }
    await new Promise<void>((r) => server.close(() => r()));
    const sorted = [...samples].sort((x, y) => x - y);

    const pipelineRate = (o.referrals / pipelineMs) * 1000;
    const directRate = (bundles.length / directMs) * 1000;
    const ratio = pipelineRate / directRate;
    const p95 = percentile(sorted, 95);
    const checks = [
      {
        target: `pipeline ≥ ${TARGETS.minPipelineShare * 100} % of the direct rate`,
        measured: `${fmt(ratio * 100, 1)} %`,
        pass: ratio >= TARGETS.minPipelineShare,
      },
      {
        target: `pipeline ≥ ${TARGETS.minPipelinePerSecond} referrals/s`,
        measured: `${fmt(pipelineRate, 1)}/s`,
        pass: pipelineRate >= TARGETS.minPipelinePerSecond,
      },
      {
        target: `search p95 ≤ ${TARGETS.maxSearchP95Ms} ms with ${fmt(o.resources)} stored`,
        measured: `${fmt(p95, 1)} ms`,
        pass: p95 <= TARGETS.maxSearchP95Ms && nonOk === 0,
      },
    ];
    const lines = [
      `FHIR exchange benchmark (${bench ? 'PostgreSQL' : 'SQLite'}, ${o.mode}, concurrency ${o.concurrency}, ${o.lanes} lanes, ${MAX_IN_FLIGHT * o.lanes} in flight, ${os.cpus().length} CPUs, load ${load.map((l) => l.toFixed(2)).join(' ')})`,
      '',
      `    shared:   ${fmt(o.referrals)} referrals under consent into the outbox in ${fmt(sharedMs / 1000, 1)} s: ${fmt((o.referrals / sharedMs) * 1000, 1)}/s (the input; ${o.concurrency} clinicians at a time)`,
      `(a) pipeline: ${fmt(o.referrals)} referrals from the outbox to the partner (gate, mapping, validation, delivery) in ${fmt(pipelineMs / 1000, 1)} s: ${fmt(pipelineRate, 1)} referrals/s`,
      `    end to end, sharing then delivering: ${fmt((o.referrals / (sharedMs + pipelineMs)) * 1000, 1)} referrals/s`,
      `(b) direct:   ${fmt(bundles.length)} Bundles posted in ${fmt(directMs / 1000, 1)} s: ${fmt(directRate, 1)} referrals/s (the partner holds ${atPartner ?? '?'} ServiceRequests)`,
      `    ratio pipeline/direct: ${fmt(ratio * 100, 1)} %`,
      `    CPU per referral: pipeline ${perReferral(cpu.ownMs, o.referrals)} here (${perReferral(cpu.mainMs, o.referrals)} on its JavaScript thread) + ${perReferral(cpu.partnerMs, o.referrals)} at the partner; direct ${perReferral(directCpu.ownMs, bundles.length)} here (${perReferral(directCpu.mainMs, bundles.length)} on its JavaScript thread) + ${perReferral(directCpu.partnerMs, bundles.length)} at the partner (${os.cpus().length} CPUs share them)`,
      `(c) search over ${fmt(o.resources)} stored resources (${fmt(o.resources / PARTNERS)} addressed to the searching partner): ${o.searches} searches, p50 ${fmt(percentile(sorted, 50), 1)} ms, p95 ${fmt(p95, 1)} ms, p99 ${fmt(percentile(sorted, 99), 1)} ms, max ${fmt(sorted.at(-1)!, 1)} ms${nonOk ? `, ${nonOk} not OK` : ''}`,
      '',
      ...checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.measured}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `fhir-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          options: o,
          database: bench ? 'postgres' : 'sqlite',
          load,
          shared: { totalMs: sharedMs, perSecond: (o.referrals / sharedMs) * 1000 },
          pipeline: {
            totalMs: pipelineMs,
            perSecond: pipelineRate,
            cpuMs: cpu.ownMs,
            mainThreadCpuMs: cpu.mainMs,
            partnerCpuMs: cpu.partnerMs,
            jobs: summary,
          },
          endToEndPerSecond: (o.referrals / (sharedMs + pipelineMs)) * 1000,
          direct: {
            totalMs: directMs,
            perSecond: directRate,
            cpuMs: directCpu.ownMs,
            mainThreadCpuMs: directCpu.mainMs,
            partnerCpuMs: directCpu.partnerMs,
          },
          ratio,
          search: {
            count: samples.length,
            p50Ms: percentile(sorted, 50),
            p95Ms: p95,
            p99Ms: percentile(sorted, 99),
            maxMs: sorted.at(-1),
            notOk: nonOk,
          },
          checks,
        },
        null,
        2,
      ),
    );
    log(`results written to ${path.relative(root, file)}`);
    return checks.every((c) => c.pass) ? 0 : 1;
  } finally {
    for (const child of partners) child.kill('SIGTERM');
    await sleep(100);
    await platform?.close();
    if (serverUrl && bench) await dropBenchDatabase(serverUrl, bench.name);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
