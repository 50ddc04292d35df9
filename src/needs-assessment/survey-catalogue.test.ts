import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SurveyCatalogue } from './survey-catalogue.js';
import type { SurveyQuestionnaire } from './survey-questionnaire.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const catalogue = SurveyCatalogue.load();
const shipped = (id: string): SurveyQuestionnaire => {
  const q = catalogue.get(id);
  if (!q) throw new Error(`${id} is not shipped`);
  return q;
};
const questions = (q: SurveyQuestionnaire) => q.pages.flatMap((p) => p.items.filter((i) => i.type !== 'display'));

/** NA-4: the 35 HSE Indicator Tool statements, in order. */
const HSE_TEXTS = [
  'I am clear what is expected of me at work',
  'I can decide when to take a break',
  'Different groups at work demand things from me that are hard to combine',
  'I know how to go about getting my job done',
  'I am subject to personal harassment in the form of unkind words or behaviour',
  'I have unachievable deadlines',
  'If work gets difficult, my colleagues will help me',
  'I am given supportive feedback on the work I do',
  'I have to work very intensively',
  'I have a say in my own work speed',
  'I am clear what my duties and responsibilities are',
  'I have to neglect some tasks because I have too much to do',
  'I am clear about the goals and objectives for my department',
  'There is friction or anger between colleagues',
  'I have a choice in deciding how I do my work',
  'I am unable to take sufficient breaks',
  'I understand how my work fits into the overall aim of the organisation',
  'I am pressured to work long hours',
  'I have a choice in deciding what I do at work',
  'I have to work very fast',
  'I am subject to bullying at work',
  'I have unrealistic time pressures',
  'I can rely on my line manager to help me out with a work problem',
  'I get help and support I need from colleagues',
  'I have some say over the way I work',
  'I have sufficient opportunities to question managers about change at work',
  'I receive the respect at work I deserve from my colleagues',
  'Staff are always consulted about change at work',
  'I can talk to my line manager about something that has upset or annoyed me about work',
  'My working time can be flexible',
  'My colleagues are willing to listen to my work-related problems',
  'When changes are made at work, I am clear how they will work out in practice',
  'I am supported through emotionally demanding work',
  'Relationships at work are strained',
  'My line manager encourages me at work',
];

describe('the shipped survey questionnaires', () => {
  it('when the catalogue loads, then every shipped file is there, valid and in the survey format', () => {
    const files = fs.readdirSync(path.join(here, 'questionnaires')).filter((f) => f.endsWith('.json'));
    expect(catalogue.list().map((q) => `${q.id}.json`)).toEqual(expect.arrayContaining(files));
    expect(catalogue.list()).toHaveLength(files.length);
    expect(catalogue.get('no-such-survey')).toBeUndefined();
  });

  it('when the HSE tool is read, then it has the 35 NA-4 statements as hse-1 … hse-35, in order (NA-3, NA-4)', () => {
    const items = questions(shipped('hse-indicator-tool')).filter(
      (i) => i.linkId.startsWith('hse-') && i.type === 'choice',
    );
    expect(items.map((i) => i.linkId)).toEqual(HSE_TEXTS.map((_, n) => `hse-${n + 1}`));
    expect(items.map((i) => i.text)).toEqual(HSE_TEXTS);
    expect(items[0]!.text).toBe('I am clear what is expected of me at work');
    expect(items[22]!.text).toBe('I can rely on my line manager to help me out with a work problem');
    expect(items[34]!.text).toBe('My line manager encourages me at work');
    expect(items.every((i) => i.required && !i.cy)).toBe(true);
  });

  it('when the HSE items are read, then 1–23 ask how often and 24–35 how far you agree, scored 1 to 5 (NA-3)', () => {
    const items = questions(shipped('hse-indicator-tool')).filter((i) => /^hse-\d+$/.test(i.linkId));
    const scale = (n: number) => items[n - 1]!.options.map((o) => `${o.code} ${o.display}`);
    const often = ['1 Never', '2 Seldom', '3 Sometimes', '4 Often', '5 Always'];
    const agree = ['1 Strongly disagree', '2 Disagree', '3 Neutral', '4 Agree', '5 Strongly agree'];
    for (let n = 1; n <= 23; n++) expect(scale(n)).toEqual(often);
    for (let n = 24; n <= 35; n++) expect(scale(n)).toEqual(agree);
  });

  it('when the HSE tool is read, then its statement pages are the HSE instrument, in English only, and end with comments', () => {
    const hse = shipped('hse-indicator-tool');
    const last = hse.pages.at(-1)!;
    expect(hse.pages.slice(0, -1).every((p) => p.instrument === 'hse' && p.englishOnly && p.cy?.title)).toBe(true);
    expect(last.instrument).toBeNull();
    expect(last.items.some((i) => i.type === 'text' && i.linkId.endsWith('-comments') && !i.required)).toBe(true);
    expect(hse.modes).toEqual(['anonymous', 'confidential']);
  });

  it('when the community needs assessment is read, then SWEMWBS has its exact items and scale (NA-6)', () => {
    const page = shipped('community-needs-assessment').pages.find((p) => p.instrument === 'swemwbs')!;
    expect(page.englishOnly).toBe(true);
    expect(page.items[0]!.text).toBe(
      'Below are some statements about feelings and thoughts. Please tick the box that best describes your ' +
        'experience of each over the last 2 weeks.',
    );
    const items = page.items.filter((i) => i.type === 'choice');
    expect(items.map((i) => [i.linkId, i.text])).toEqual([
      ['swemwbs-1', "I've been feeling optimistic about the future"],
      ['swemwbs-2', "I've been feeling useful"],
      ['swemwbs-3', "I've been feeling relaxed"],
      ['swemwbs-4', "I've been dealing with problems well"],
      ['swemwbs-5', "I've been thinking clearly"],
      ['swemwbs-6', "I've been feeling close to other people"],
      ['swemwbs-7', "I've been able to make up my own mind about things"],
    ]);
    for (const item of items)
      expect(item.options.map((o) => `${o.code} ${o.display}`)).toEqual([
        '1 None of the time',
        '2 Rarely',
        '3 Some of the time',
        '4 Often',
        '5 All of the time',
      ]);
  });

  it('when the community needs assessment is read, then it asks about every NA-1 barrier and ends with comments', () => {
    const q = shipped('community-needs-assessment');
    const barriers = questions(q).find((i) => i.linkId === 'barriers')!;
    expect(barriers.repeats).toBe(true);
    expect(barriers.options.map((o) => o.code)).toEqual([
      'shift-patterns',
      'lives-outside-force-area',
      'unsafe-venues',
      'non-confidential-venues',
      'work-address-identifies',
      'confidentiality-worries',
    ]);
    expect(q.pages.length).toBeGreaterThanOrEqual(12);
    expect(q.pages.length).toBeLessThanOrEqual(15);
    const phq4 = q.pages.find((p) => p.instrument === 'phq4')!;
    expect(phq4.items.filter((i) => i.type === 'choice').map((i) => i.linkId)).toEqual([
      'phq4-1',
      'phq4-2',
      'phq4-3',
      'phq4-4',
    ]);
    expect(q.pages.at(-1)!.items.map((i) => [i.linkId.endsWith('-comments'), i.type, i.required])).toEqual([
      [true, 'text', false],
    ]);
    expect(q.modes).toEqual(['anonymous', 'confidential']);
  });

  it('when the psychological risk assessment is read, then it is confidential only and has PHQ-4 (NA-8)', () => {
    const q = shipped('psychological-risk-assessment');
    expect(q.modes).toEqual(['confidential']);
    expect(q.pages.map((p) => p.instrument)).toContain('phq4');
    expect(q.description).toMatch(/clinician reviews each set of answers/);
  });

  it('when any shipped questionnaire is read in Welsh, then every question outside an instrument has Welsh', () => {
    for (const q of catalogue.list()) {
      expect(q.cy?.title && q.cy.description).toBeTruthy();
      for (const page of q.pages) {
        expect(page.cy?.title).toBeTruthy();
        if (page.instrument) continue;
        for (const item of page.items) {
          expect(item.cy?.text, item.linkId).toBeTruthy();
          for (const o of item.options) expect(item.cy?.options?.[o.code], `${item.linkId} ${o.code}`).toBeTruthy();
        }
      }
    }
  });
});

/** The shipped HSE file as these tests break it. */
interface HseJson {
  date?: string;
  item: Array<{ _text?: unknown; item: Array<{ linkId: string; enableWhen?: unknown[] }> }>;
}

describe('a broken questionnaire file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Loads a catalogue holding only the HSE tool as changed by `change`, and returns why it was refused. */
  function refusal(change: (json: HseJson) => void): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surveys-'));
    const json = JSON.parse(fs.readFileSync(path.join(here, 'questionnaires', 'hse-indicator-tool.json'), 'utf8'));
    change(json as HseJson);
    fs.writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(json));
    try {
      SurveyCatalogue.load(dir);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the broken questionnaire was accepted');
  }

  it('when a page heading has no Welsh, then start-up stops naming the file and the field', () => {
    const message = refusal((json) => delete json.item[5]!._text);
    expect(message).toContain('questionnaires/broken.json');
    expect(message).toContain('item.5._text');
  });

  it('when two questions share a linkId, then start-up stops naming the second', () => {
    const message = refusal((json) => (json.item[1]!.item[0]!.linkId = 'hse-1'));
    expect(message).toContain('item.1.item.0.linkId');
    expect(message).toContain('hse-1 is used twice');
  });

  it('when a condition points at a later question, then start-up stops naming the condition', () => {
    const message = refusal(
      (json) =>
        (json.item[0]!.item[0]!.enableWhen = [{ question: 'hse-9', operator: '=', answerCoding: { code: '1' } }]),
    );
    expect(message).toContain('item.0.item.0.enableWhen.0.question');
  });

  it('when the file is not valid FHIR, then start-up stops naming the file', () => {
    const message = refusal((json) => (json.date = 'last Tuesday'));
    expect(message).toMatch(/questionnaires\/broken\.json is not valid FHIR/);
  });
});
