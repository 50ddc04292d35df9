import request from 'supertest';
import { expect } from 'vitest';
import { newId } from '../../src/shared/ids.js';
import type { NewPerson } from '../../src/people/people-types.js';
import { buildPerson, type TestPlatform, type World } from '../support/test-platform.js';

/** Everyone invited to a test campaign, with the token their invitation email carried. */
export interface Invited {
  person: NewPerson;
  token: string;
}

/** Adds `count` people with work email addresses to a unit (a new one when none is given) of the world's host force. */
export async function addPeopleWithEmail(
  t: TestPlatform,
  w: World,
  count: number,
  unitId?: string,
): Promise<{ unitId: string; people: NewPerson[] }> {
  const unit = unitId ?? newId();
  if (!unitId)
    await t.platform.repositories.people.insertUnit(
      { id: unit, organisationId: w.host.id, name: `Unit ${unit.slice(0, 8)}`, code: null, parentUnitId: null },
      t.clock.now(),
    );
  const people = Array.from({ length: count }, () => {
    const id = newId();
    return buildPerson(w.host.id, { id, unitId: unit, workEmail: `p-${id}@force.example` });
  });
  await t.platform.repositories.people.insertPeople(people, t.clock.now());
  return { unitId: unit, people };
}

/** The token each invitee's invitation email carried, read from the queued emails as the person reads theirs. */
export async function tokensFromEmails(t: TestPlatform, people: readonly NewPerson[]): Promise<Invited[]> {
  const rows = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
    payload: string;
  }>;
  const byAddress = new Map<string, string>();
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as { to: string; text: string };
    const token = /\/survey\?t=([A-Za-z0-9_-]+)/.exec(payload.text)?.[1];
    if (token) byAddress.set(payload.to, token);
  }
  return people.map((person) => {
    const token = byAddress.get(person.workEmail ?? '');
    expect(token, `an invitation for ${person.givenName}`).toBeTruthy();
    return { person, token: token! };
  });
}

/** Every HSE item answered with `value` (1–5), and optional comments. */
export function hseAnswers(value: number | ((item: number) => number), comments?: string): Record<string, string> {
  const answers: Record<string, string> = {};
  for (let i = 1; i <= 35; i++) answers[`hse-${i}`] = String(typeof value === 'number' ? value : value(i));
  if (comments) answers['hse-comments'] = comments;
  return answers;
}

/** Answers a campaign over the API as a respondent would: start with the token, save, submit. */
export async function answer(t: TestPlatform, token: string, answers: Record<string, unknown>): Promise<string> {
  const start = await request(t.app).post('/api/v1/responses').send({ invitationToken: token });
  expect(start.status).toBe(201);
  const key = { 'X-Response-Key': start.body.responseKey as string };
  const saved = await request(t.app).put(`/api/v1/responses/${start.body.id}/answers`).set(key).send({ answers });
  expect(saved.status).toBe(200);
  const submitted = await request(t.app).post(`/api/v1/responses/${start.body.id}/submit`).set(key).send();
  expect(submitted.status).toBe(200);
  return start.body.id as string;
}
