import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../../src/db/knex.js';
import { invitationDigest, resumeDigest } from '../../src/needs-assessment/draft-seal.js';
import { sha256 } from '../../src/shared/ids.js';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';
import { addPeopleWithEmail, answer, hseAnswers, tokensFromEmails, type Invited } from './survey-support.js';

type Row = Record<string, unknown>;

/**
 * NA-2: anonymous answers cannot be linked to anyone, "administrators and database readers included". This
 * test answers as known people, in a known order, across days, and then reads the whole database as a reader
 * with every table would — contents, row order, PostgreSQL's system columns, timestamps — and fails on any
 * link from an answer to a person, a user, an invitation or a token.
 */
describe('anonymous survey answers cannot be linked to anyone (issue 17 §3, NA-2)', () => {
  let t: TestPlatform;
  let w: World;
  let invited: Invited[];
  let campaignId: string;
  /** Everyone who answered, in the order they did, with the marker only their answers carry. */
  const answered: Array<{ who: Invited; marker: string }> = [];
  let before: Map<string, Row[]>;
  let after: Map<string, Row[]>;
  let invitationIds: string[];
  const threshold = 10;

  /** Every table of the database, each row as the reader sees it, in the order the database returns it. */
  async function everyTable(): Promise<Map<string, Row[]>> {
    const db = t.database.db;
    const pg = isPostgres(db);
    const names = pg
      ? (
          (await db.raw(`select tablename as name from pg_tables where schemaname = current_schema()`)) as {
            rows: Array<{ name: string }>;
          }
        ).rows.map((r) => r.name)
      : ((await db.raw(`select name from sqlite_master where type = 'table'`)) as Array<{ name: string }>).map(
          (r) => r.name,
        );
    const tables = new Map<string, Row[]>();
    for (const name of names.sort()) {
      // PostgreSQL: the row's physical place and the transaction that wrote it are readable columns too.
      const rows = (
        pg
          ? (
              (await db.raw(`select ctid::text as "__ctid", xmin::text as "__xmin", * from "${name}"`)) as {
                rows: Row[];
              }
            ).rows
          : await db.raw(`select * from "${name}"`)
      ) as Row[];
      tables.set(name, rows);
    }
    return tables;
  }

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    const a = await addPeopleWithEmail(t, w, 14);
    const b = await addPeopleWithEmail(t, w, 12);
    const launched = await request(t.app)
      .post('/api/v1/campaigns')
      .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` })
      .send({
        questionnaireId: 'hse-indicator-tool',
        title: 'Team stress risk assessment',
        mode: 'anonymous',
        population: { kind: 'organisation', ref: w.host.id },
        breakdown: 'unit',
        opensOn: t.clock.today(),
        closesOn: '2026-12-20',
      });
    expect(launched.status).toBe(201);
    campaignId = launched.body.id;
    invited = await tokensFromEmails(t, [...a.people, ...b.people]);
    invitationIds = ((await t.database.db('survey_invitations').select('id')) as Array<{ id: string }>).map(
      (r) => r.id,
    );
    before = await everyTable();
    // 23 of the 26 answer, one after another, some on later days; 3 do not answer at all.
    for (const [i, who] of invited.slice(0, 23).entries()) {
      if (i === 8 || i === 16) t.clock.advance(24 * 3600_000 + 37 * 60_000);
      else t.clock.advance(97_000);
      const marker = `marker-${String(i).padStart(2, '0')}-${who.person.id.slice(0, 4)}`;
      await answer(
        t,
        who.token,
        hseAnswers((item) => ((item + i) % 5) + 1, marker),
      );
      answered.push({ who, marker });
    }
    // One more starts and stops half way: their draft is there, sealed.
    const started = await request(t.app).post('/api/v1/responses').send({ invitationToken: invited[23]!.token });
    await request(t.app)
      .put(`/api/v1/responses/${started.body.id}/answers`)
      .set({ 'X-Response-Key': started.body.responseKey })
      .send({ answers: { 'hse-1': '4', 'hse-comments': 'half-way-secret' } });
    after = await everyTable();
  });
  afterAll(async () => t.destroy());

  /** Every string a reader could use to name a respondent: ids, emails, tokens and every digest of them we make. */
  function identifiers(): string[] {
    return [
      ...invitationIds,
      ...Object.values(w.users).map((u) => u.id),
      ...invited.flatMap(({ person, token }) => [
        person.id,
        person.staffNumber,
        person.workEmail!,
        token,
        sha256(token),
        invitationDigest(token),
        resumeDigest(token),
      ]),
    ];
  }

  it('when answers are published, then a response row holds only its random id, the campaign, the group, the UK day and the answers', async () => {
    const responses = after.get('survey_responses')!;
    expect(responses).toHaveLength(20); // two batches of the threshold; three wait, sealed, for more
    const columns = Object.keys(responses[0]!).filter((c) => !c.startsWith('__'));
    expect(columns.sort()).toEqual(['answers', 'campaign_id', 'group_key', 'id', 'scores', 'submitted_on']);
    for (const row of responses) {
      expect(String(row.submitted_on instanceof Date ? '' : row.submitted_on)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const text = JSON.stringify(row);
      for (const id of identifiers()) expect(text).not.toContain(id);
    }
    // Published answers are the ones given, and each marker appears exactly once.
    const markers = responses.map((r) => JSON.parse(String(r.answers))['hse-comments'] as string);
    expect(new Set(markers).size).toBe(markers.length);
    for (const m of markers) expect(answered.map((a) => a.marker)).toContain(m);
  });

  it('when someone has answered, then no table links a person, user, invitation or token to their answers', async () => {
    const answerIds = new Set(after.get('survey_responses')!.map((r) => String(r.id)));
    const markers = answered.map((a) => a.marker);
    // What publishing writes: the answers, their comments and their groups' running totals.
    const published = new Set(['survey_responses', 'survey_comments', 'survey_tallies']);
    for (const [table, rows] of after) {
      if (published.has(table)) {
        for (const row of rows) for (const id of identifiers()) expect(JSON.stringify(row)).not.toContain(id);
        continue;
      }
      for (const row of rows) {
        const text = JSON.stringify(row);
        const names = identifiers().some((id) => text.includes(id));
        const holdsAnswers = markers.some((m) => text.includes(m)) || [...answerIds].some((id) => text.includes(id));
        // A row that names someone never carries, or points at, anyone's answers.
        expect(names && holdsAnswers, `${table} links a person to answers`).toBe(false);
        // Nothing outside the response table carries an answer in the clear (the pool and drafts are sealed).
        expect(holdsAnswers, `${table} holds answers in the clear`).toBe(false);
        expect(text).not.toContain('half-way-secret');
      }
    }
  });

  it('when invitations are used, then they are gone: the table records neither when nor in what order', async () => {
    const remaining = after.get('survey_invitations')!;
    // Of those emailed, only the two who never started are left (the half-way one's went when they started).
    const left = new Set(remaining.map((r) => String(r.person_id)));
    expect(invited.filter((i) => left.has(i.person.id)).map((i) => i.person.id)).toEqual(
      invited.slice(24).map((i) => i.person.id),
    );
    for (const row of remaining)
      expect(
        Object.keys(row)
          .filter((c) => !c.startsWith('__'))
          .sort(),
      ).toEqual(['campaign_id', 'group_key', 'id', 'person_id', 'token_digest']);
  });

  it('when the database is read in its own order, then row order places an answer no nearer than its batch of the threshold', async () => {
    const rows = after.get('survey_responses')!;
    const submitOrder = new Map(answered.map((a, i) => [a.marker, i]));
    const order = rows.map((r) => submitOrder.get(JSON.parse(String(r.answers))['hse-comments'] as string)!);
    // Stored order is not the order of answering (published in shuffled batches; SQLite keeps them in id order).
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
    if (isPostgres(t.database.db)) {
      // Each batch was written by one transaction: xmin groups answers only into batches of the threshold.
      const batches = new Map<string, number>();
      for (const r of rows) batches.set(String(r.__xmin), (batches.get(String(r.__xmin)) ?? 0) + 1);
      for (const size of batches.values()) expect(size).toBeGreaterThanOrEqual(threshold);
    } else {
      // WITHOUT ROWID: there is no rowid to order by, and rows come back in the order of their random ids.
      await expect(t.database.db.raw('select rowid from survey_responses')).rejects.toThrow();
      const ids = rows.map((r) => String(r.id));
      expect(ids).toEqual([...ids].sort());
    }
  });

  it('when people answer, then nothing else in the database changes: no audit entry, job, session or timestamp about them', async () => {
    const changed = [...after.keys()].filter((table) => {
      const strip = (rows: Row[]) =>
        rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('__')))));
      const was = new Set(strip(before.get(table) ?? []));
      const now = strip(after.get(table) ?? []);
      return now.length !== was.size || now.some((r) => !was.has(r));
    });
    // The invitations shrink, a draft waits sealed, the pool and the published answers grow: nothing else.
    expect(changed.sort()).toEqual([
      'survey_comments',
      'survey_drafts',
      'survey_invitations',
      'survey_pool',
      'survey_responses',
      'survey_tallies',
    ]);
    const pool = after.get('survey_pool')!;
    expect(pool).toHaveLength(3);
    for (const row of pool)
      expect(
        Object.keys(row)
          .filter((c) => !c.startsWith('__'))
          .sort(),
      ).toEqual(['campaign_id', 'id', 'sealed']);
    const drafts = after.get('survey_drafts')!;
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.person_id).toBeNull();
  });

  it('when the survey closes, then the last few are published mixed with others, never as a batch smaller than the threshold', async () => {
    t.clock.set('2026-12-21T09:00:00Z');
    const res = await request(t.app)
      .get(`/api/v1/campaigns/${campaignId}/results`)
      .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` });
    expect(res.status).toBe(200);
    expect(res.body.responses).toMatchObject({ value: 23, n: 23, suppressed: false });
    const rows = await everyTable();
    expect(rows.get('survey_pool')).toHaveLength(0);
    const published = rows.get('survey_responses')!;
    expect(published).toHaveLength(23);
    if (isPostgres(t.database.db)) {
      const batches = new Map<string, number>();
      for (const r of published) batches.set(String(r.__xmin), (batches.get(String(r.__xmin)) ?? 0) + 1);
      for (const size of batches.values()) expect(size).toBeGreaterThanOrEqual(threshold);
    }
  });
});
