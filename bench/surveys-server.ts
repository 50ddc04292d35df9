import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Faker, en } from '@faker-js/faker';
import express from 'express';
import { hashPassword } from '../src/auth/passwords.js';
import { loadConfig } from '../src/config/config.js';
import { isPostgres } from '../src/db/knex.js';
import { hseAnswers } from '../src/demo/demo-surveys.js';
import { invitationDigest } from '../src/needs-assessment/draft-seal.js';
import { scoreSurveyResponse } from '../src/needs-assessment/scoring.js';
import { SurveyRepository } from '../src/needs-assessment/survey-repository.js';
import type { Campaign } from '../src/needs-assessment/survey-types.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { addDays, londonDay } from '../src/shared/dates.js';
import {
  createBenchDatabase,
  DATABASE_NAME_ENV,
  dropBenchDatabase,
  type BenchDatabase,
} from './support/bench-database.js';
import { listen, onShutdown, writeReady } from './support/child-process.js';
import { surveyToken } from './support/survey-token.js';
import { generateWorkforce } from './support/workforce.js';

/**
 * The platform for `npm run bench -- surveys`, as `npm start` builds it, on a fresh database (a temporary DATA_DIR
 * with SQLite, or a throwaway `blp_bench_<random>` database on the PostgreSQL server DATABASE_URL names), loaded
 * through the survey repository with:
 * - a workforce of SURVEY_PEOPLE (default 60,000) and an open anonymous HSE Indicator Tool campaign inviting every
 *   one of them, each invitation's token `surveyToken(i)` (so the runner can hand each submission its own);
 * - a second HSE campaign, broken down by unit, holding SURVEY_RESPONSES (default 100,000) submitted responses.
 * Also serves GET /bench/raw-scan/:id, the floor for the results: the campaign's answer rows read and nothing done.
 * Prints `{"port":N,"token":"…",…}` when ready (the token is an OH administrator's API token).
 */
const env: Record<string, string | undefined> = {
  NODE_ENV: 'production',
  SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
  LOG_LEVEL: 'silent',
  DEMO_DATA: 'false',
  ...process.env,
};
const ownDataDir = env.DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'blp-bench-'));
if (ownDataDir) env.DATA_DIR = ownDataDir;
const serverUrl = env.DATABASE_URL;
const PEOPLE = Number(env.SURVEY_PEOPLE ?? 60_000);
const RESPONSES = Number(env.SURVEY_RESPONSES ?? 100_000);
/** Distinct synthetic responses cycled through the results campaign (generating 100,000 would only be slower). */
const DISTINCT_ANSWERS = 2_000;

let platform: Platform | null = null;
let server: Server | null = null;
let database: BenchDatabase | null = null;
let stopping = false;

const elapsed = (since: number) => Math.round(performance.now() - since);

async function seed(p: Platform): Promise<{ submit: Campaign; results: Campaign; timingsMs: Record<string, number> }> {
  const now = p.clock.now();
  const today = londonDay(now);
  const repository = new SurveyRepository(p.db);
  let t = performance.now();
  const workforce = generateWorkforce({ size: PEOPLE, seed: 17, asOf: today, years: 1 });
  const people = p.repositories.people;
  await people.transaction(async (trx) => {
    for (const o of workforce.organisations) await people.insertOrganisation(o, now, trx);
    for (const u of workforce.units) await people.insertUnit(u, now, trx);
    await people.insertPeople(workforce.people, now, trx);
  });
  const loadPeople = elapsed(t);
  const host = workforce.organisations[0]!;
  const ownerId = '00000000-0000-4000-8000-00000000a001';
  await p.repositories.users.insert(
    {
      id: ownerId,
      email: 'oh.admin@bench.test',
      displayName: 'Bench OH administrator',
      passwordHash: await hashPassword('bench-only-password-1'),
      organisationId: host.id,
      personId: null,
      roles: ['oh-administrator'],
      locale: 'en',
    },
    now,
  );
  const campaign = (id: string, title: string, invited: number, groups: Campaign['groups']): Campaign => ({
    id,
    organisationId: host.id,
    questionnaireId: 'hse-indicator-tool',
    questionnaireVersion: '1',
    title,
    mode: 'anonymous',
    populationKind: 'organisation',
    populationRef: host.id,
    breakdown: groups.length ? 'unit' : 'none',
    groups,
    invitedCount: invited,
    threshold: 10,
    opensOn: addDays(today, -1),
    closesOn: addDays(today, 30),
    ownerUserId: ownerId,
    previousCampaignId: null,
    lastRemindedOn: null,
    createdAt: now,
  });

  t = performance.now();
  const submit = campaign('00000000-0000-4000-8000-0000000c0001', 'Submissions', workforce.people.length, []);
  await repository.transaction(async (trx) => {
    await repository.insertCampaign(submit, trx);
    await repository.insertInvitations(
      workforce.people.map((person, i) => ({
        id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
        campaignId: submit.id,
        personId: person.id,
        digest: invitationDigest(surveyToken(i)),
        groupKey: null,
      })),
      trx,
    );
  });
  const loadInvitations = elapsed(t);

  t = performance.now();
  const hostUnits = workforce.units.filter((u) => u.organisationId === host.id);
  const results = campaign(
    '00000000-0000-4000-8000-0000000c0002',
    'Results',
    Math.round(RESPONSES / 0.67),
    hostUnits.map((u) => ({ key: u.id, invited: Math.round(RESPONSES / 0.67 / hostUnits.length) })),
  );
  const rng = new Faker({ locale: [en] });
  rng.seed(17);
  const distinct = Array.from({ length: DISTINCT_ANSWERS }, () => {
    const answers = hseAnswers(rng, 'recent');
    return { answers: JSON.stringify(answers), scores: JSON.stringify(scoreSurveyResponse(answers)) };
  });
  await repository.transaction(async (trx) => {
    await repository.insertCampaign(results, trx);
    const rows = Array.from({ length: RESPONSES }, (_, i) => ({
      id: rng.string.uuid(),
      campaign_id: results.id,
      group_key: hostUnits[i % hostUnits.length]!.id,
      submitted_on: addDays(today, -(i % 20)),
      ...distinct[i % DISTINCT_ANSWERS]!,
    }));
    await trx.batchInsert('survey_responses', rows, 500);
  });
  const loadResponses = elapsed(t);
  t = performance.now();
  if (isPostgres(p.db)) await p.db.raw('VACUUM ANALYZE people, survey_invitations, survey_responses');
  return {
    submit,
    results,
    timingsMs: { loadPeople, loadInvitations, loadResponses, analyse: elapsed(t) },
  };
}

async function start(): Promise<void> {
  if (serverUrl) {
    database = await createBenchDatabase(serverUrl, env[DATABASE_NAME_ENV]);
    env.DATABASE_URL = database.url;
  }
  if (stopping) return;
  const config = loadConfig(env);
  platform = await buildPlatform(config);
  const seeded = await seed(platform);
  if (stopping) return;
  const owner = (await platform.repositories.users.findByEmail('oh.admin@bench.test'))!;
  const { token } = await platform.services.auth.createToken(
    { actor: null, requestId: 'bench-setup', ip: null },
    owner,
    {
      name: 'surveys benchmark',
      role: 'oh-administrator',
    },
  );
  await platform.jobs.start();
  const db = platform.db;
  const outer = express();
  outer.disable('x-powered-by');
  // The floor of the results: the same answer rows read from the database, nothing computed.
  outer.get('/bench/raw-scan/:id', async (req, res, next) => {
    try {
      const started = performance.now();
      const rows = (await db('survey_responses')
        .where('campaign_id', req.params.id)
        .select('answers', 'scores')) as unknown[];
      res.json({ rows: rows.length, ms: performance.now() - started });
    } catch (error) {
      next(error);
    }
  });
  outer.use(platform.app.app);
  server = await listen(outer, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  writeReady({
    port: (server.address() as AddressInfo).port,
    token,
    client: config.database.client,
    submitCampaign: seeded.submit.id,
    invitations: seeded.submit.invitedCount,
    resultsCampaign: seeded.results.id,
    responses: RESPONSES,
    timingsMs: seeded.timingsMs,
  });
}

const started = start();

const stop = onShutdown(async () => {
  stopping = true;
  await started.catch(() => undefined);
  if (server) {
    const s = server;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await closed;
  }
  await platform?.close();
  if (serverUrl && database) await dropBenchDatabase(serverUrl, database.name);
  if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
});

started.catch((error: unknown) => {
  process.stderr.write(`bench surveys-server failed: ${(error as Error)?.stack ?? String(error)}\n`);
  stop(1);
});
