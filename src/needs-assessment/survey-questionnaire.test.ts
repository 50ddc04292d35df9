import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../fhir/core/fhir-validation.js';
import type { FieldMessages } from '../shared/error-messages.js';
import { ValidationError } from '../shared/errors.js';
import { SurveyCatalogue } from './survey-catalogue.js';
import {
  firstIncompletePage,
  parseSurveyQuestionnaire,
  readAllAnswers,
  readPageAnswers,
  surveyInLanguage,
  toQuestionnaireResponse,
  type SurveyAnswers,
  type SurveyQuestionnaire,
} from './survey-questionnaire.js';

const BASE = 'https://bluelightpathways.org.uk/fhir';
const cy = (content: string) => ({
  extension: [
    {
      url: 'http://hl7.org/fhir/StructureDefinition/translation',
      extension: [
        { url: 'lang', valueCode: 'cy' },
        { url: 'content', valueString: content },
      ],
    },
  ],
});
const option = (linkId: string, code: string, display: string, welsh?: string) => ({
  valueCoding: {
    system: `${BASE}/CodeSystem/test-${linkId}`,
    code,
    display,
    ...(welsh ? { _display: cy(welsh) } : {}),
  },
});

/** The survey JSON as these tests change it: loose enough to break it on purpose. */
interface ItemJson {
  linkId: string;
  type: string;
  text: string;
  _text?: unknown;
  required?: boolean;
  repeats?: boolean;
  extension?: Array<{ url: string; valueCode: string }>;
  answerOption?: Array<{ valueCoding: { system: string; code: string; display: string; _display?: unknown } }>;
  enableWhen?: Array<{ question: string; operator: string; answerBoolean?: boolean; answerCoding?: { code: string } }>;
  item?: ItemJson[];
}
interface SurveyJson {
  url: string;
  _title?: unknown;
  _description?: unknown;
  extension: Array<{ url: string; valueCode: string }>;
  item: ItemJson[];
  [key: string]: unknown;
}
/** The `n`th page of a survey's JSON. */
function pageAt(json: SurveyJson, n: number): ItemJson {
  const page = json.item[n];
  if (!page) throw new Error(`no page ${n}`);
  return page;
}
/** The `i`th question of a survey JSON's `n`th page. */
function questionAt(json: SurveyJson, n: number, i: number): ItemJson {
  const item = pageAt(json, n).item?.[i];
  if (!item) throw new Error(`no question ${n}.${i}`);
  return item;
}
const firstOf = <T>(list: T[] | undefined): T => {
  if (!list?.[0]) throw new Error('empty');
  return list[0];
};

/** A small survey: a page of access questions, a page whose second question follows a yes, and an instrument page. */
function surveyJson(): SurveyJson {
  return {
    resourceType: 'Questionnaire',
    id: 'test-survey',
    url: `${BASE}/Questionnaire/test-survey`,
    version: '2',
    status: 'active',
    extension: [{ url: `${BASE}/StructureDefinition/survey-modes`, valueCode: 'anonymous' }],
    title: 'Test survey',
    _title: cy('Arolwg prawf'),
    description: 'A few questions.',
    _description: cy('Ychydig o gwestiynau.'),
    item: [
      {
        linkId: 'access',
        type: 'group',
        text: 'Getting care',
        _text: cy('Cael gofal'),
        item: [
          {
            linkId: 'barriers',
            type: 'choice',
            repeats: true,
            text: 'What gets in the way?',
            _text: cy('Beth sy’n rhwystro?'),
            answerOption: [
              option('barriers', 'shift-patterns', 'Shifts', 'Sifftiau'),
              option('barriers', 'unsafe-venues', 'Unsafe venues', 'Lleoliadau anniogel'),
              option('barriers', 'confidentiality-worries', 'Confidentiality', 'Cyfrinachedd'),
            ],
          },
          {
            linkId: 'put-off',
            type: 'choice',
            required: true,
            text: 'Have you put off care?',
            _text: cy('Ydych chi wedi gohirio gofal?'),
            answerOption: [option('put-off', 'never', 'Never', 'Byth'), option('put-off', 'often', 'Often', 'Yn aml')],
          },
          { linkId: 'visits', type: 'integer', text: 'How many visits?', _text: cy('Sawl ymweliad?') },
        ],
      },
      {
        linkId: 'bbv',
        type: 'group',
        text: 'Exposure',
        _text: cy('Dod i gysylltiad'),
        item: [
          {
            linkId: 'exposed',
            type: 'boolean',
            required: true,
            text: 'Were you exposed?',
            _text: cy('Oeddech chi mewn cysylltiad?'),
          },
          {
            linkId: 'treated',
            type: 'choice',
            required: true,
            text: 'How was treatment?',
            _text: cy('Sut oedd y driniaeth?'),
            enableWhen: [{ question: 'exposed', operator: '=', answerBoolean: true }],
            answerOption: [option('treated', 'good', 'Good', 'Da'), option('treated', 'poor', 'Poor', 'Gwael')],
          },
          {
            linkId: 'treated-where',
            type: 'string',
            text: 'Where were you seen?',
            _text: cy('Ble cawsoch chi eich gweld?'),
            enableWhen: [{ question: 'treated', operator: '=', answerCoding: { code: 'poor' } }],
          },
        ],
      },
      {
        linkId: 'phq',
        type: 'group',
        text: 'Feelings',
        _text: cy('Teimladau'),
        extension: [{ url: `${BASE}/StructureDefinition/instrument`, valueCode: 'phq4' }],
        item: [
          { linkId: 'phq-intro', type: 'display', text: 'Over the last 2 weeks' },
          {
            linkId: 'phq4-1',
            type: 'choice',
            required: true,
            text: 'Feeling nervous',
            answerOption: [option('phq4-1', '0', 'Not at all'), option('phq4-1', '3', 'Nearly every day')],
          },
        ],
      },
      {
        linkId: 'end',
        type: 'group',
        text: 'Anything else',
        _text: cy('Unrhyw beth arall'),
        item: [{ linkId: 'end-comments', type: 'text', text: 'Comments', _text: cy('Sylwadau') }],
      },
    ],
  };
}

const survey = parseSurveyQuestionnaire(surveyJson());

/** The fields a call refuses, with their problems. */
function refused(call: () => unknown): Record<string, unknown> {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return { ...(error.messages as FieldMessages) };
    throw error;
  }
  throw new Error('it was accepted');
}
const parseProblems = (change: (json: SurveyJson) => void) => {
  const json = surveyJson();
  change(json);
  return refused(() => parseSurveyQuestionnaire(json));
};

describe('reading a survey questionnaire', () => {
  it('when a survey is well formed, then its pages, modes, conditions and Welsh are read', () => {
    expect(survey.version).toBe('2');
    expect(survey.modes).toEqual(['anonymous']);
    expect(survey.pages.map((p) => [p.linkId, p.instrument, p.englishOnly])).toEqual([
      ['access', null, false],
      ['bbv', null, false],
      ['phq', 'phq4', true],
      ['end', null, false],
    ]);
    expect(survey.pages[1]!.items[1]!.enableWhen).toEqual({ question: 'exposed', answer: true });
    expect(survey.pages[1]!.items[2]!.enableWhen).toEqual({ question: 'treated', answer: 'poor' });
    expect(survey.cy).toEqual({ title: 'Arolwg prawf', description: 'Ychydig o gwestiynau.' });
  });

  it('when an instrument page carries Welsh on every item, then it is not English-only', () => {
    const json = surveyJson();
    for (const item of pageAt(json, 2).item ?? []) item._text = cy('Testun');
    expect(parseSurveyQuestionnaire(json).pages[2]!.englishOnly).toBe(false);
  });

  it('when the url does not match the id, then the url is named', () => {
    expect(parseProblems((j) => (j.url = `${BASE}/Questionnaire/other`))).toHaveProperty('url');
  });

  it('when a mode is unknown or missing, then the extension is named', () => {
    expect(parseProblems((j) => (firstOf(j.extension).valueCode = 'public'))).toHaveProperty('extension');
    expect(parseProblems((j) => (j.extension = []))).toHaveProperty('extension');
  });

  it('when a top-level item is a question, not a page, then it is named', () => {
    expect(parseProblems((j) => j.item.push(questionAt(j, 0, 2)))).toHaveProperty(['item.4.type']);
  });

  it('when a choice has one option, then its options are named', () => {
    expect(parseProblems((j) => questionAt(j, 0, 1).answerOption?.pop())).toHaveProperty([
      'item.0.item.1.answerOption',
    ]);
  });

  it('when a linkId is used twice across pages, then the second is named', () => {
    const problems = parseProblems((j) => (questionAt(j, 3, 0).linkId = 'barriers'));
    expect(problems).toHaveProperty(['item.3.item.0.linkId']);
  });

  it('when a condition names a later or unknown question, then the condition is named', () => {
    expect(
      parseProblems(
        (j) => (questionAt(j, 0, 0).enableWhen = [{ question: 'exposed', operator: '=', answerBoolean: true }]),
      ),
    ).toHaveProperty(['item.0.item.0.enableWhen.0.question']);
    expect(parseProblems((j) => (firstOf(questionAt(j, 1, 1).enableWhen).question = 'nothing'))).toHaveProperty([
      'item.1.item.1.enableWhen.0.question',
    ]);
  });

  it('when a condition gives an answer its question does not have, then the answer is named', () => {
    expect(
      parseProblems((j) => (firstOf(questionAt(j, 1, 2).enableWhen).answerCoding = { code: 'awful' })),
    ).toHaveProperty(['item.1.item.2.enableWhen.0.answerCoding']);
    expect(
      parseProblems(
        (j) =>
          (questionAt(j, 1, 1).enableWhen = [{ question: 'exposed', operator: '=', answerCoding: { code: 'yes' } }]),
      ),
    ).toHaveProperty(['item.1.item.1.enableWhen.0.answerBoolean']);
  });

  it('when Welsh is missing outside an instrument, then each place is named; an instrument item may stay English', () => {
    const problems = parseProblems((j) => {
      delete j._title;
      delete j._description;
      delete pageAt(j, 1)._text;
      delete questionAt(j, 0, 0)._text;
      delete questionAt(j, 0, 1).answerOption?.[1]?.valueCoding._display;
    });
    expect(Object.keys(problems).sort()).toEqual([
      '_description',
      '_title',
      'item.0.item.0._text',
      'item.0.item.1.answerOption.1.valueCoding._display',
      'item.1._text',
    ]);
  });
});

describe('a survey in the reader’s language', () => {
  it('when read in Welsh, then titles, questions and options are Welsh and an instrument stays English', () => {
    const welsh = surveyInLanguage(survey, 'cy');
    expect(welsh.title).toBe('Arolwg prawf');
    expect(welsh.pages[0]!.title).toBe('Cael gofal');
    expect(welsh.pages[0]!.items[0]!.options.map((o) => o.display)).toEqual([
      'Sifftiau',
      'Lleoliadau anniogel',
      'Cyfrinachedd',
    ]);
    expect(welsh.pages[2]!.items[1]!.text).toBe('Feeling nervous');
    expect(welsh.pages[2]!.title).toBe('Teimladau');
  });

  it('when read in English, then it is the survey as shipped', () => {
    expect(surveyInLanguage(survey, 'en')).toBe(survey);
  });
});

describe('a page’s answers', () => {
  it('when a select-all-that-apply answer comes as one string or a list, then it is stored as a list in option order', () => {
    expect(readPageAnswers(survey, 'access', { barriers: 'unsafe-venues' }, {}, { requireAll: false })).toEqual({
      barriers: ['unsafe-venues'],
    });
    const both = readPageAnswers(
      survey,
      'access',
      { barriers: ['confidentiality-worries', 'shift-patterns', 'shift-patterns'], 'put-off': 'never', visits: '3' },
      {},
      { requireAll: true },
    );
    expect(both).toEqual({ barriers: ['shift-patterns', 'confidentiality-worries'], 'put-off': 'never', visits: 3 });
  });

  it('when a listed answer is not an option, then the question is named', () => {
    const problems = refused(() =>
      readPageAnswers(survey, 'access', { barriers: ['shift-patterns', 'weather'] }, {}, { requireAll: false }),
    );
    expect(problems.barriers).toMatchObject({
      key: 'validation.answerChoose',
      label: { text: 'What gets in the way?' },
    });
  });

  it('when an answer is for a question on another page, then it is refused', () => {
    expect(refused(() => readPageAnswers(survey, 'access', { exposed: 'yes' }, {}, { requireAll: false }))).toEqual({
      exposed: 'validation.notAQuestion',
    });
  });

  it('when the page is a partial save, then nothing is required; when it is completed, required questions are', () => {
    expect(readPageAnswers(survey, 'access', {}, {}, { requireAll: false })).toEqual({});
    expect(refused(() => readPageAnswers(survey, 'access', { visits: '' }, {}, { requireAll: true }))).toEqual({
      'put-off': {
        key: 'validation.answerSelect',
        label: { text: 'Have you put off care?', cy: 'Ydych chi wedi gohirio gofal?' },
      },
    });
  });

  it('when a condition is not met, then its question is neither required nor stored', () => {
    const answers = readPageAnswers(survey, 'bbv', { exposed: 'no', treated: 'good' }, {}, { requireAll: true });
    expect(answers).toEqual({ exposed: false });
  });

  it('when a condition is met on the same page, then its question is required and stored, and so on down', () => {
    expect(refused(() => readPageAnswers(survey, 'bbv', { exposed: 'yes' }, {}, { requireAll: true }))).toHaveProperty(
      'treated',
    );
    expect(
      readPageAnswers(
        survey,
        'bbv',
        { exposed: 'yes', treated: 'poor', 'treated-where': ' A&E ' },
        {},
        { requireAll: true },
      ),
    ).toEqual({ exposed: true, treated: 'poor', 'treated-where': 'A&E' });
  });

  it('when the page is unknown, then the page is named', () => {
    expect(refused(() => readPageAnswers(survey, 'nowhere', {}, {}, { requireAll: false }))).toHaveProperty('page');
  });

  it('when a page is saved, then only that page’s answers come back, whatever came before', () => {
    const soFar: SurveyAnswers = { 'put-off': 'often', exposed: true };
    expect(readPageAnswers(survey, 'bbv', { exposed: 'no' }, soFar, { requireAll: false })).toEqual({
      exposed: false,
    });
  });
});

describe('the whole response', () => {
  const complete: SurveyAnswers = { 'put-off': 'never', exposed: false, 'phq4-1': '3' };

  it('when every required question that is asked is answered, then the response is read', () => {
    expect(readAllAnswers(survey, complete)).toEqual(complete);
  });

  it('when required questions on several pages are missing, then each is named', () => {
    expect(Object.keys(refused(() => readAllAnswers(survey, { exposed: true }))).sort()).toEqual([
      'phq4-1',
      'put-off',
      'treated',
    ]);
  });

  it('when a stored answer belongs to a question no longer asked, then it is dropped; an unknown one is refused', () => {
    expect(readAllAnswers(survey, { ...complete, treated: 'good' })).toEqual(complete);
    expect(refused(() => readAllAnswers(survey, { ...complete, shoe: 'size' }))).toEqual({
      shoe: 'validation.notAQuestion',
    });
  });
});

describe('where a response resumes', () => {
  it('when nothing is answered, then it starts at the first page', () => {
    expect(firstIncompletePage(survey, {})).toBe(0);
  });

  it('when the first pages are answered, then it resumes after the furthest answered page', () => {
    expect(firstIncompletePage(survey, { 'put-off': 'often' })).toBe(1);
    expect(firstIncompletePage(survey, { 'put-off': 'often', exposed: false })).toBe(2);
  });

  it('when an earlier page lacks a required answer, then it resumes there', () => {
    expect(firstIncompletePage(survey, { 'put-off': 'often', exposed: true, 'phq4-1': '0' })).toBe(1);
  });

  it('when every page is done, then it resumes past the last page', () => {
    expect(
      firstIncompletePage(survey, { 'put-off': 'never', exposed: false, 'phq4-1': '0', 'end-comments': 'Thanks' }),
    ).toBe(survey.pages.length);
  });
});

/** The parts of a QuestionnaireResponse these tests read. */
interface QrJson {
  item: Array<{ linkId: string; item: Array<{ answer: unknown[] }> }>;
}

describe('a response as a FHIR QuestionnaireResponse', () => {
  const meta = { id: 'resp-1', authored: '2026-05-04T10:00:00Z', subject: 'Patient/p-1' };

  it('when a response is written, then it is valid FHIR R4 with answers nested by page and typed', () => {
    const qr = toQuestionnaireResponse(
      survey,
      {
        barriers: ['shift-patterns', 'unsafe-venues'],
        'put-off': 'often',
        visits: 2,
        exposed: true,
        treated: 'poor',
        'treated-where': 'Walk-in centre',
        'phq4-1': '0',
      },
      meta,
    ) as QrJson;
    expect(validateFhirResource(qr as Resource)).toEqual([]);
    expect(qr).toMatchObject({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: `${BASE}/Questionnaire/test-survey|2`,
      subject: { reference: 'Patient/p-1' },
    });
    expect(qr.item.map((i) => i.linkId)).toEqual(['access', 'bbv', 'phq']);
    expect(qr.item[0]!.item[0]!.answer).toEqual([
      { valueCoding: { system: `${BASE}/CodeSystem/test-barriers`, code: 'shift-patterns', display: 'Shifts' } },
      { valueCoding: { system: `${BASE}/CodeSystem/test-barriers`, code: 'unsafe-venues', display: 'Unsafe venues' } },
    ]);
    expect(qr.item[0]!.item[2]!.answer).toEqual([{ valueInteger: 2 }]);
    expect(qr.item[1]!.item[0]!.answer).toEqual([{ valueBoolean: true }]);
    expect(qr.item[1]!.item[2]!.answer).toEqual([{ valueString: 'Walk-in centre' }]);
  });

  it('when a response is incomplete, then no QuestionnaireResponse is written', () => {
    expect(refused(() => toQuestionnaireResponse(survey, { exposed: false }, meta))).toHaveProperty('put-off');
  });

  it('when any complete set of answers to a shipped survey is written, then it is valid FHIR R4', () => {
    const shipped = SurveyCatalogue.load().list();
    const arbitraryAnswers = (q: SurveyQuestionnaire) =>
      fc.record(
        Object.fromEntries(
          q.pages.flatMap((p) =>
            p.items
              .filter((i) => i.type !== 'display')
              .map((i) => {
                const codes = i.options.map((o) => o.code);
                const value: fc.Arbitrary<unknown> =
                  i.type === 'choice'
                    ? i.repeats
                      ? fc.subarray(codes, { minLength: 1 })
                      : fc.constantFrom(...codes)
                    : i.type === 'boolean'
                      ? fc.boolean()
                      : i.type === 'integer'
                        ? fc.integer({ min: 0, max: 100 })
                        : fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '');
                return [i.linkId, value];
              }),
          ),
        ),
      );
    for (const q of shipped)
      fc.assert(
        fc.property(arbitraryAnswers(q), (answers) => {
          const qr = toQuestionnaireResponse(q, answers as SurveyAnswers, meta);
          expect(validateFhirResource(qr as Resource)).toEqual([]);
        }),
        { numRuns: 15 },
      );
  });
});
