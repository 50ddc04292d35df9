/**
 * Survey questionnaires (issue 17): FHIR R4 Questionnaires whose top-level groups are pages. Pure: reads and
 * checks a questionnaire, puts it in the reader's language, reads a page's answers and the whole response, and
 * writes a QuestionnaireResponse. NA-1 (community needs assessment), NA-3/NA-4 (HSE), NA-6 (SWEMWBS), NA-8.
 */
import { z } from 'zod';
import { ValidationError, type FieldErrors } from '../shared/errors.js';
import type { FieldMessages } from '../shared/error-messages.js';
import { fieldErrors } from '../shared/validation.js';
import { BASE, WELSH } from '../pathways/definition-format.js';
import { translationOf } from '../pathways/definition.js';
import { readAnswer, unanswered } from '../pathways/questionnaire.js';

export const SURVEY_EXTENSIONS = {
  modes: `${BASE}/StructureDefinition/survey-modes`,
  instrument: `${BASE}/StructureDefinition/instrument`,
} as const;
export const SURVEY_MODES = ['anonymous', 'confidential'] as const;
export type SurveyMode = (typeof SURVEY_MODES)[number];
/** Validated instruments: their items stay as published (English) unless an official Welsh text ships. */
export const SURVEY_INSTRUMENTS = ['hse', 'swemwbs', 'phq4'] as const;
export type SurveyInstrument = (typeof SURVEY_INSTRUMENTS)[number];
export const SURVEY_ITEM_TYPES = ['choice', 'boolean', 'string', 'text', 'integer', 'display'] as const;

export interface SurveyItem {
  linkId: string;
  text: string;
  type: (typeof SURVEY_ITEM_TYPES)[number];
  required: boolean;
  /** A choice whose answer is every option that applies. */
  repeats: boolean;
  /** `system` is the option's code system, written into a QuestionnaireResponse's valueCoding. */
  options: Array<{ code: string; display: string; system?: string }>;
  enableWhen?: { question: string; answer: string | boolean };
  cy?: { text?: string; options?: Record<string, string> };
}

export interface SurveyPage {
  linkId: string;
  title: string;
  instrument: SurveyInstrument | null;
  /** An instrument whose items have no official Welsh: Welsh readers see them in English, with a note. */
  englishOnly: boolean;
  items: SurveyItem[];
  cy?: { title?: string };
}

export interface SurveyQuestionnaire {
  id: string;
  url: string;
  version: string;
  title: string;
  description: string;
  modes: SurveyMode[];
  pages: SurveyPage[];
  cy?: { title?: string; description?: string };
  /** The FHIR JSON as shipped. */
  resource: unknown;
}

export type SurveyAnswer = string | number | boolean | string[];
export type SurveyAnswers = Record<string, SurveyAnswer>;

/** A primitive's element (`_text`): its extensions, e.g. translations. */
const element = z.object({ extension: z.array(z.record(z.string(), z.unknown())).optional() }).optional();
const extensions = z.array(z.object({ url: z.string() }).catchall(z.unknown())).optional();
const linkId = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,59}$/);

const questionSchema = z.object({
  linkId,
  text: z.string().min(1).max(1000),
  _text: element,
  type: z.enum(SURVEY_ITEM_TYPES),
  required: z.boolean().optional(),
  repeats: z.boolean().optional(),
  answerOption: z
    .array(
      z.object({
        valueCoding: z.object({
          system: z.string().min(1),
          code: z.string().min(1).max(64),
          display: z.string().min(1).max(500),
          _display: element,
        }),
      }),
    )
    .optional(),
  enableWhen: z
    .array(
      z.object({
        question: z.string().min(1),
        operator: z.literal('='),
        answerCoding: z.object({ system: z.string().optional(), code: z.string().min(1) }).optional(),
        answerBoolean: z.boolean().optional(),
      }),
    )
    .max(1)
    .optional(),
});

const groupSchema = z.object({
  linkId,
  text: z.string().min(1).max(200),
  _text: element,
  type: z.literal('group'),
  extension: extensions,
  item: z.array(questionSchema).min(1).max(60),
});

const surveySchema = z.object({
  resourceType: z.literal('Questionnaire'),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/),
  url: z.string(),
  version: z.string().min(1).max(20),
  status: z.literal('active'),
  title: z.string().min(1).max(200),
  _title: element,
  description: z.string().min(1).max(2000),
  _description: element,
  extension: extensions,
  item: z.array(groupSchema).min(1).max(40),
});

const WELSH_NEEDED = 'needs its Welsh text (translation extension, lang cy)';

type ParsedQuestion = z.infer<typeof questionSchema>;

/** Reads a survey Questionnaire (already parsed from JSON); every problem is named by its element's path. */
export function parseSurveyQuestionnaire(json: unknown): SurveyQuestionnaire {
  const parsed = surveySchema.safeParse(json);
  if (!parsed.success)
    throw new ValidationError(
      fieldErrors(parsed.error),
      'The questionnaire is not in the expected form.',
      'questionnaire-invalid',
    );
  const q = parsed.data;
  const errors: FieldErrors = {};
  if (q.url !== `${BASE}/Questionnaire/${q.id}`) errors.url = `the url must be ${BASE}/Questionnaire/${q.id}`;
  const modes = (q.extension ?? []).filter((e) => e.url === SURVEY_EXTENSIONS.modes).map((e) => e.valueCode);
  if (!modes.length) errors.extension = `a survey needs at least one mode (${SURVEY_MODES.join(', ')})`;
  else if (modes.some((m) => !(SURVEY_MODES as readonly unknown[]).includes(m)) || new Set(modes).size < modes.length)
    errors.extension = `each mode must be one of ${SURVEY_MODES.join(', ')}, once`;
  // Officers read their surveys in Welsh too: the title and the statement before the first question.
  if (!translationOf(q._title)) errors._title = WELSH_NEEDED;
  if (!translationOf(q._description)) errors._description = WELSH_NEEDED;

  const seen = new Set<string>();
  const questions = new Map<string, ParsedQuestion>();
  const pages: SurveyPage[] = q.item.map((group, g) => {
    const at = `item.${g}`;
    if (seen.has(group.linkId)) errors[`${at}.linkId`] = `${group.linkId} is used twice`;
    seen.add(group.linkId);
    const instrument = group.extension?.find((e) => e.url === SURVEY_EXTENSIONS.instrument)?.valueCode;
    if (instrument !== undefined && !(SURVEY_INSTRUMENTS as readonly unknown[]).includes(instrument))
      errors[`${at}.extension`] = `the instrument must be one of ${SURVEY_INSTRUMENTS.join(', ')}`;
    if (!translationOf(group._text)) errors[`${at}._text`] = WELSH_NEEDED;
    group.item.forEach((item, i) => {
      const path = `${at}.item.${i}`;
      checkQuestion(item, path, questions, errors);
      // A validated instrument stays as published unless its official Welsh ships; everything else needs Welsh.
      if (instrument === undefined) {
        if (!translationOf(item._text)) errors[`${path}._text`] = WELSH_NEEDED;
        (item.answerOption ?? []).forEach((o, j) => {
          if (!translationOf(o.valueCoding._display))
            errors[`${path}.answerOption.${j}.valueCoding._display`] = WELSH_NEEDED;
        });
      }
      if (seen.has(item.linkId)) errors[`${path}.linkId`] = `${item.linkId} is used twice`;
      seen.add(item.linkId);
      if (item.type !== 'display') questions.set(item.linkId, item);
    });
    const title = translationOf(group._text);
    return {
      linkId: group.linkId,
      title: group.text,
      instrument: (instrument as SurveyInstrument | undefined) ?? null,
      englishOnly: instrument !== undefined && group.item.some((i) => !translationOf(i._text)),
      items: group.item.map(surveyItem),
      ...(title ? { cy: { title } } : {}),
    };
  });
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'The questionnaire has problems.', 'questionnaire-invalid');
  const [title, description] = [translationOf(q._title), translationOf(q._description)];
  return {
    id: q.id,
    url: q.url,
    version: q.version,
    title: q.title,
    description: q.description,
    modes: modes as SurveyMode[],
    pages,
    ...(title || description ? { cy: { ...(title ? { title } : {}), ...(description ? { description } : {}) } } : {}),
    resource: json,
  };
}

/** A question's own rules: options only on a choice, at least two of them, and a condition on an earlier answer. */
function checkQuestion(
  item: ParsedQuestion,
  path: string,
  earlier: ReadonlyMap<string, ParsedQuestion>,
  errors: FieldErrors,
): void {
  const options = item.answerOption ?? [];
  if (item.type === 'choice' && options.length < 2)
    errors[`${path}.answerOption`] = 'a choice needs at least two options';
  if (item.type !== 'choice' && item.answerOption) errors[`${path}.answerOption`] = 'only choice items have options';
  if (new Set(options.map((o) => o.valueCoding.code)).size < options.length)
    errors[`${path}.answerOption`] = 'each option needs its own code';
  if (item.repeats && item.type !== 'choice') errors[`${path}.repeats`] = 'only a choice can take several answers';
  if (item.type === 'display' && (item.required || item.enableWhen))
    errors[`${path}.type`] = 'a display item is not a question';
  const condition = item.enableWhen?.[0];
  if (!condition) return;
  const target = earlier.get(condition.question);
  const where = `${path}.enableWhen.0`;
  if (!target) errors[`${where}.question`] = `${condition.question} is not an earlier question`;
  else if (target.type === 'boolean') {
    if (condition.answerBoolean === undefined || condition.answerCoding)
      errors[`${where}.answerBoolean`] = `${condition.question} is answered yes or no: give answerBoolean`;
  } else if (target.type === 'choice') {
    const code = condition.answerCoding?.code;
    if (condition.answerBoolean !== undefined || !target.answerOption?.some((o) => o.valueCoding.code === code))
      errors[`${where}.answerCoding`] = `give one of the options of ${condition.question}`;
  } else errors[`${where}.question`] = `${condition.question} must be a choice or a yes/no question`;
}

function surveyItem(i: ParsedQuestion): SurveyItem {
  const text = translationOf(i._text);
  const cyOptions = Object.fromEntries(
    (i.answerOption ?? []).flatMap((o) => {
      const display = translationOf(o.valueCoding._display);
      return display ? [[o.valueCoding.code, display]] : [];
    }),
  );
  const condition = i.enableWhen?.[0];
  return {
    linkId: i.linkId,
    text: i.text,
    type: i.type,
    required: i.required === true,
    repeats: i.repeats === true,
    options: (i.answerOption ?? []).map((o) => ({
      code: o.valueCoding.code,
      display: o.valueCoding.display,
      system: o.valueCoding.system,
    })),
    ...(condition
      ? {
          enableWhen: { question: condition.question, answer: condition.answerBoolean ?? condition.answerCoding!.code },
        }
      : {}),
    ...(text || Object.keys(cyOptions).length ? { cy: { ...(text ? { text } : {}), options: cyOptions } } : {}),
  };
}

/** The survey as a reader of `lang` reads it: Welsh where the questionnaire carries it, English elsewhere. */
export function surveyInLanguage(q: SurveyQuestionnaire, lang: string): SurveyQuestionnaire {
  if (lang !== WELSH) return q;
  return {
    ...q,
    title: q.cy?.title ?? q.title,
    description: q.cy?.description ?? q.description,
    pages: q.pages.map((p) => ({
      ...p,
      title: p.cy?.title ?? p.title,
      items: p.items.map((i) => ({
        ...i,
        text: i.cy?.text ?? i.text,
        options: i.options.map((o) => ({ ...o, display: i.cy?.options?.[o.code] ?? o.display })),
      })),
    })),
  };
}

const isBlank = (v: unknown) =>
  v === undefined ||
  v === null ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() === ''));

/** Whether a question is asked, given the answers so far: a disabled question is neither required nor stored. */
function isEnabled(item: SurveyItem, answers: Readonly<SurveyAnswers>): boolean {
  if (!item.enableWhen) return true;
  const given = answers[item.enableWhen.question];
  return Array.isArray(given) ? given.includes(String(item.enableWhen.answer)) : given === item.enableWhen.answer;
}

/** Reads one page's answers into `answers` (the response so far), putting each problem in `errors`. */
function readPage(
  page: SurveyPage,
  input: Readonly<Record<string, unknown>>,
  answers: SurveyAnswers,
  requireAll: boolean,
  errors: FieldMessages,
): void {
  for (const item of page.items) {
    delete answers[item.linkId];
    if (item.type === 'display' || !isEnabled(item, answers)) continue;
    const value = input[item.linkId];
    if (isBlank(value)) {
      if (requireAll && item.required) errors[item.linkId] = unanswered(item);
      continue;
    }
    if (item.type === 'choice' && item.repeats) {
      const codes = (Array.isArray(value) ? value : [value]).filter((v) => !isBlank(v));
      const wrong = codes.map((c) => readAnswer(item, c)).find((r) => !r.ok);
      if (wrong && !wrong.ok) errors[item.linkId] = wrong.message;
      // Stored in the options' order, each once: a select-all-that-apply answer is a set.
      else answers[item.linkId] = item.options.map((o) => o.code).filter((c) => codes.includes(c));
      continue;
    }
    const read = readAnswer(item, value);
    if (read.ok) answers[item.linkId] = read.value;
    else errors[item.linkId] = read.message;
  }
}

function pageOf(q: SurveyQuestionnaire, pageLinkId: string): SurveyPage {
  const page = q.pages.find((p) => p.linkId === pageLinkId);
  if (!page)
    throw new ValidationError(
      { page: 'there is no such page in this questionnaire' },
      'There is no such page.',
      'page-unknown',
    );
  return page;
}

/**
 * The answers given on one page, checked: nothing that is not a question of this page, each answer of its
 * question's type (a select-all-that-apply answer as a list of option codes), and questions disabled by an
 * earlier answer dropped. With `requireAll` the page's required questions must be answered; without, it is a
 * partial save and nothing is required.
 */
export function readPageAnswers(
  q: SurveyQuestionnaire,
  pageLinkId: string,
  input: Record<string, unknown>,
  soFar: SurveyAnswers,
  opts: { requireAll: boolean },
): SurveyAnswers {
  const page = pageOf(q, pageLinkId);
  const errors: FieldMessages = {};
  const asked = new Set(page.items.filter((i) => i.type !== 'display').map((i) => i.linkId));
  for (const key of Object.keys(input)) if (!asked.has(key)) errors[key] = 'validation.notAQuestion';
  const answers: SurveyAnswers = { ...soFar };
  readPage(page, input, answers, opts.requireAll, errors);
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'Some answers need correcting.', 'answers-invalid');
  return Object.fromEntries(Object.entries(answers).filter(([k]) => asked.has(k)));
}

/** The whole response at submission: every answer checked, and every required question that is asked answered. */
export function readAllAnswers(q: SurveyQuestionnaire, answers: SurveyAnswers): SurveyAnswers {
  const errors: FieldMessages = {};
  const asked = new Set(q.pages.flatMap((p) => p.items.filter((i) => i.type !== 'display').map((i) => i.linkId)));
  for (const key of Object.keys(answers)) if (!asked.has(key)) errors[key] = 'validation.notAQuestion';
  const read: SurveyAnswers = {};
  for (const page of q.pages) readPage(page, answers, read, true, errors);
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'Some answers need correcting.', 'answers-invalid');
  return read;
}

/**
 * The page to resume at: the first page with a required question (that is asked) unanswered, or else the page
 * after the furthest page holding an answer; `pages.length` when neither remains.
 */
export function firstIncompletePage(q: SurveyQuestionnaire, answers: SurveyAnswers): number {
  const has = (i: SurveyItem) => !isBlank(answers[i.linkId]);
  const missing = q.pages.findIndex((p) => p.items.some((i) => i.required && isEnabled(i, answers) && !has(i)));
  let furthest = -1;
  q.pages.forEach((p, index) => {
    if (p.items.some(has)) furthest = index;
  });
  return missing === -1 ? furthest + 1 : Math.min(missing, furthest + 1);
}

type ResponseAnswer =
  | { valueCoding: { system?: string; code: string; display: string } }
  | { valueBoolean: boolean }
  | { valueInteger: number }
  | { valueString: string };

function responseAnswers(item: SurveyItem, value: SurveyAnswer): ResponseAnswer[] {
  switch (item.type) {
    case 'choice':
      return (Array.isArray(value) ? value : [String(value)]).map((code) => {
        const o = item.options.find((x) => x.code === code)!;
        return { valueCoding: { ...(o.system ? { system: o.system } : {}), code, display: o.display } };
      });
    case 'boolean':
      return [{ valueBoolean: value === true }];
    case 'integer':
      return [{ valueInteger: Number(value) }];
    default:
      return [{ valueString: String(value) }];
  }
}

/**
 * A completed response as a FHIR R4 QuestionnaireResponse (for identified questionnaires' exports): the answers
 * checked as at submission, nested by page, English texts as the questionnaire ships them.
 */
export function toQuestionnaireResponse(
  q: SurveyQuestionnaire,
  answers: SurveyAnswers,
  meta: { id: string; authored: string; subject?: string },
): object {
  const read = readAllAnswers(q, answers);
  const item = q.pages.flatMap((page) => {
    const answered = page.items
      .filter((i) => i.type !== 'display' && read[i.linkId] !== undefined)
      .map((i) => ({ linkId: i.linkId, text: i.text, answer: responseAnswers(i, read[i.linkId]!) }));
    return answered.length ? [{ linkId: page.linkId, text: page.title, item: answered }] : [];
  });
  return {
    resourceType: 'QuestionnaireResponse',
    id: meta.id,
    questionnaire: `${q.url}|${q.version}`,
    status: 'completed',
    authored: meta.authored,
    ...(meta.subject ? { subject: { reference: meta.subject } } : {}),
    ...(item.length ? { item } : {}),
  };
}
