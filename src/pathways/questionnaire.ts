import { z } from 'zod';
import { isIsoDate } from '../shared/dates.js';
import { ValidationError, type FieldErrors } from '../shared/errors.js';
import type { FieldMessages, FieldProblem } from '../shared/error-messages.js';
import { fieldErrors } from '../shared/validation.js';
import { BASE, EXTENSIONS, WELSH } from './definition-format.js';
import { translationOf } from './definition.js';
import { INSTRUMENT_CODES, scoreInstrument, type InstrumentCode } from './instruments.js';

export const ITEM_TYPES = ['choice', 'boolean', 'string', 'text', 'integer', 'date', 'dateTime', 'display'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** One question of a step's form. */
export interface FormItem {
  linkId: string;
  text: string;
  type: ItemType;
  required: boolean;
  options: Array<{ code: string; display: string }>;
  /** The Welsh question and option labels (HL7 translation extension on `_text` and `valueCoding._display`). */
  cy?: { text?: string; options?: Record<string, string> };
}

/** A step's form: a FHIR R4 Questionnaire, as the pages and the engine use it. */
export interface StepForm {
  id: string;
  url: string;
  title: string;
  scoring: InstrumentCode | null;
  items: FormItem[];
  /** The Welsh title (`_title`). */
  cy?: { title?: string };
  /**
   * A validated instrument (STarT Back, PHQ-9 …) with no official Welsh text shipped: it stays in
   * English for every reader, and Welsh pages say so (issue 15 §8).
   */
  englishOnly?: boolean;
}

/** A recorded answer: a code, a yes/no, text, a whole number or an ISO date(-time). */
export type Answer = string | number | boolean;
export type Answers = Record<string, Answer>;

/** A primitive's element (`_text`): its extensions, e.g. translations. */
const element = z.object({ extension: z.array(z.record(z.string(), z.unknown())).optional() }).optional();

const itemSchema = z.object({
  linkId: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,59}$/),
  text: z.string().min(1).max(1000),
  _text: element,
  type: z.enum(ITEM_TYPES),
  required: z.boolean().optional(),
  answerOption: z
    .array(
      z.object({
        valueCoding: z.object({
          system: z.string().optional(),
          code: z.string().min(1),
          display: z.string().min(1),
          _display: element,
        }),
      }),
    )
    .optional(),
});

const questionnaireSchema = z.object({
  resourceType: z.literal('Questionnaire'),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/),
  url: z.string(),
  title: z.string().min(1),
  _title: element,
  status: z.literal('active'),
  extension: z.array(z.object({ url: z.string() }).catchall(z.unknown())).optional(),
  item: z.array(itemSchema).min(1).max(60),
});

/** Reads a Questionnaire (already parsed from JSON) into a step form; problems under the element's path. */
export function parseQuestionnaire(resource: unknown): StepForm {
  const parsed = questionnaireSchema.safeParse(resource);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    throw new ValidationError(
      fieldErrors(parsed.error),
      'The questionnaire is not in the expected form.',
      'questionnaire-invalid',
    );
  }
  const q = parsed.data;
  if (q.url !== `${BASE}/Questionnaire/${q.id}`) errors.url = `the url must be ${BASE}/Questionnaire/${q.id}`;
  const scoring = q.extension?.find((e) => e.url === EXTENSIONS.scoring)?.valueCode;
  if (scoring !== undefined && !(INSTRUMENT_CODES as readonly unknown[]).includes(scoring))
    errors.extension = `scoring must be one of ${INSTRUMENT_CODES.join(', ')}`;
  const seen = new Set<string>();
  q.item.forEach((item, i) => {
    if (seen.has(item.linkId)) errors[`item.${i}.linkId`] = `${item.linkId} is used twice`;
    seen.add(item.linkId);
    if (item.type === 'choice' && (item.answerOption ?? []).length < 2)
      errors[`item.${i}.answerOption`] = 'a choice needs at least two options';
    if (item.type !== 'choice' && item.answerOption)
      errors[`item.${i}.answerOption`] = 'only choice items have options';
    // Officers read their forms in Welsh too; a validated instrument stays as published unless its official Welsh ships.
    if (scoring === undefined) {
      if (!translationOf(item._text)) errors[`item.${i}._text`] = WELSH_NEEDED;
      (item.answerOption ?? []).forEach((o, j) => {
        if (!translationOf(o.valueCoding._display))
          errors[`item.${i}.answerOption.${j}.valueCoding._display`] = WELSH_NEEDED;
      });
    }
  });
  if (scoring === undefined && !translationOf(q._title)) errors._title = WELSH_NEEDED;
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'The questionnaire has problems.', 'questionnaire-invalid');
  return {
    id: q.id,
    url: q.url,
    title: q.title,
    scoring: (scoring as InstrumentCode | undefined) ?? null,
    items: q.item.map((i) => {
      const text = translationOf(i._text);
      const options = Object.fromEntries(
        (i.answerOption ?? []).flatMap((o) => {
          const display = translationOf(o.valueCoding._display);
          return display ? [[o.valueCoding.code, display]] : [];
        }),
      );
      return {
        linkId: i.linkId,
        text: i.text,
        type: i.type,
        required: i.required === true,
        options: (i.answerOption ?? []).map((o) => ({ code: o.valueCoding.code, display: o.valueCoding.display })),
        ...(text || Object.keys(options).length ? { cy: { ...(text ? { text } : {}), options } } : {}),
      };
    }),
    ...(translationOf(q._title) ? { cy: { title: translationOf(q._title) } } : {}),
    englishOnly: scoring !== undefined && q.item.some((i) => !translationOf(i._text)),
  };
}

const WELSH_NEEDED = 'needs its Welsh text (translation extension, lang cy)';

/**
 * The form as a reader of `lang` reads it: questions, options and title in Welsh where the
 * questionnaire carries them; a validated instrument without an official Welsh text stays English.
 */
export function formInLanguage<F extends StepForm | null>(form: F, lang: string): F;
export function formInLanguage(form: StepForm | null, lang: string): StepForm | null {
  if (!form || lang !== WELSH) return form;
  return {
    ...form,
    title: form.cy?.title ?? form.title,
    items: form.items.map((i) => ({
      ...i,
      text: i.cy?.text ?? i.text,
      options: i.options.map((o) => ({ ...o, display: i.cy?.options?.[o.code] ?? o.display })),
    })),
  };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** One answer read as its question's type; a wrong one is a problem naming the question. */
export function readAnswer(
  item: FormItem,
  value: unknown,
): { ok: true; value: Answer } | { ok: false; message: FieldProblem } {
  const wrong = (key: string, values?: Record<string, string | number>) =>
    ({ ok: false, message: { key, values, label: questionLabel(item) } }) as const;
  switch (item.type) {
    case 'choice':
      return typeof value === 'string' && item.options.some((o) => o.code === value)
        ? { ok: true, value }
        : wrong('validation.answerChoose');
    case 'boolean':
      if (value === true || value === 'yes' || value === 'true') return { ok: true, value: true };
      if (value === false || value === 'no' || value === 'false') return { ok: true, value: false };
      return wrong('validation.answerYesNo');
    case 'integer': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim())
            ? Number(value.trim())
            : NaN;
      return Number.isInteger(n) ? { ok: true, value: n } : wrong('validation.answerWholeNumber');
    }
    case 'date':
      return typeof value === 'string' && isIsoDate(value) && value >= '1900' && value < '2201'
        ? { ok: true, value }
        : wrong('validation.answerRealDate');
    case 'dateTime':
      return typeof value === 'string' &&
        ISO_DATE_TIME.test(value) &&
        value >= '1900' &&
        value < '2201' &&
        !Number.isNaN(Date.parse(value))
        ? { ok: true, value: new Date(value).toISOString() }
        : wrong('validation.answerRealDateTime');
    case 'string':
    case 'text': {
      const max = item.type === 'string' ? 500 : 4000;
      return typeof value === 'string' && value.trim().length <= max
        ? { ok: true, value: value.trim() }
        : wrong('validation.answerTooLong', { max });
    }
    default:
      return { ok: false, message: 'validation.notAQuestion' };
  }
}

/** An unanswered question's error names the question (issue 15 §1): "Select your answer to: …". */
export function unanswered(item: FormItem): FieldProblem {
  const key = item.type === 'choice' || item.type === 'boolean' ? 'validation.answerSelect' : 'validation.answerEnter';
  return { key, label: questionLabel(item) };
}

/** A question named in an error: its own text, and its Welsh when the form carries it. */
function questionLabel(item: FormItem): { text: string; cy?: string } {
  return item.cy?.text ? { text: item.text, cy: item.cy.text } : { text: item.text };
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Checks answers against a form: every required item answered, each answer of the item's
 * type, nothing that is not on the form. Returns the answers as stored and the facts they
 * add (the answers themselves, plus the scores of a scored questionnaire).
 */
export function readAnswers(
  form: StepForm,
  input: Readonly<Record<string, unknown>>,
): { answers: Answers; facts: Answers } {
  const errors: FieldMessages = {};
  const answers: Answers = {};
  const known = new Set(form.items.map((i) => i.linkId));
  for (const key of Object.keys(input)) if (!known.has(key)) errors[key] = 'validation.notAQuestion';
  for (const item of form.items) {
    if (item.type === 'display') continue;
    const value = input[item.linkId];
    if (isBlank(value)) {
      if (item.required) errors[item.linkId] = unanswered(item);
      continue;
    }
    const read = readAnswer(item, value);
    if (read.ok) answers[item.linkId] = read.value;
    else errors[item.linkId] = read.message;
  }
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'Some answers need correcting.', 'answers-invalid');
  const scores = form.scoring ? scoreInstrument(form.scoring, answers) : {};
  return { answers, facts: { ...answers, ...scores } };
}
