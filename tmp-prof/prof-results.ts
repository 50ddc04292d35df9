import { computeResults } from '../src/needs-assessment/results.ts';
import { SurveyCatalogue } from '../src/needs-assessment/survey-catalogue.ts';
import { scoreSurveyResponse } from '../src/needs-assessment/scoring.ts';
import { readJson } from '../src/db/knex.ts';
import { z } from 'zod';
const q = SurveyCatalogue.load().get('hse-indicator-tool')!;
const rows = [];
const raw = [];
for (let i = 0; i < 100000; i++) {
  const answers: Record<string, string> = {};
  for (let k = 1; k <= 35; k++) answers[`hse-${k}`] = String(((i * 7 + k * 3) % 5) + 1);
  if (i % 50 === 0) answers['hse-comments'] = `comment ${i}`;
  const scores = scoreSurveyResponse(answers);
  raw.push({ group_key: i % 3 === 0 ? 'a' : 'b', answers: JSON.stringify(answers), scores: JSON.stringify(scores) });
}
let t = performance.now();
const schema = z.record(z.string(), z.unknown());
for (const r of raw) rows.push({ groupKey: r.group_key, answers: readJson(r.answers, schema, 'x'), scores: readJson(r.scores, schema, 'y') });
console.log('readJson zod', Math.round(performance.now() - t));
t = performance.now();
for (const r of raw) { JSON.parse(r.answers); JSON.parse(r.scores); }
console.log('JSON.parse only', Math.round(performance.now() - t));
const campaign = { id: 'c', threshold: 10, invitedCount: 150000, groups: [{ key: 'a', invited: 50000 }, { key: 'b', invited: 100000 }] } as any;
for (let k = 0; k < 3; k++) {
  t = performance.now();
  computeResults({ questionnaire: q, campaign, rows, previousRows: null, group: null, benchmark: null });
  console.log('computeResults', Math.round(performance.now() - t));
}
