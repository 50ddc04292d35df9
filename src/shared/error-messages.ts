import { z } from 'zod';
import { platformEnglish, type Translate } from '../i18n/i18n.js';
import { longDate } from './dates.js';

/**
 * What is wrong with one field, as a sentence to translate: a locale key (`validation.*`), its values, and
 * the field in words: a label key (`fields.*`) or, for a question of a form, the question's own text.
 * Pages translate it with the reader's `req.t`; the JSON API gives it in English (issue 15 §1).
 */
export interface FieldMessage {
  key: string;
  values?: Record<string, string | number>;
  /** The field's name: a locale key, or a question's own text (with its Welsh, when the form carries it). */
  label?: { key: string } | { text: string; cy?: string };
}

/** A field's problem: a FieldMessage, or a sentence (or locale key) written for it deliberately. */
export type FieldProblem = string | FieldMessage;
export type FieldMessages = Record<string, FieldProblem>;

/** A schema's own label for its field, where the field's name alone would say the wrong thing. */
export function labelled<S extends z.ZodType>(schema: S, labelKey: string): S {
  return schema.meta({ label: labelKey });
}

const LABEL_MARK = '@';
const DATE_FORMATS = new Set(['date', 'template_literal']);
const LIST_FORMATS = new Set(['uuid', 'guid', 'cuid', 'cuid2', 'ulid', 'nanoid']);
/** Nothing given: no value, or only spaces (a form's empty box). */
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The sentence's key for an issue, from its kind, the rule it broke and whether anything was given. */
function keyOf(iss: z.core.$ZodRawIssue): string {
  const missing = blank(iss.input);
  const def = iss.inst?._zod.def as { type?: string; format?: string } | undefined;
  switch (iss.code) {
    case 'invalid_type':
      if (['number', 'int', 'bigint', 'nan'].includes(iss.expected))
        return missing ? 'validation.enter' : iss.expected === 'int' ? 'validation.wholeNumber' : 'validation.number';
      // An identifier is chosen from a list on a page (a person, a partner), never typed.
      if (LIST_FORMATS.has(String(def?.format))) return missing ? 'validation.select' : 'validation.selectFromList';
      // A template literal is how a calendar date is typed (people-schemas.ts isoDate): YYYY-MM-DD.
      if (iss.expected === 'date' || def?.type === 'template_literal')
        return missing ? 'validation.enter' : 'validation.realDate';
      if (['string', 'object', 'record'].includes(iss.expected))
        return missing ? 'validation.enter' : 'validation.format';
      return 'validation.select';
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'validation.enter' : 'validation.tooShort';
      if (iss.origin === 'array' || iss.origin === 'set')
        return Number(iss.minimum) <= 1 ? 'validation.select' : 'validation.tooFew';
      return iss.inclusive ? 'validation.numberTooSmall' : 'validation.numberAbove';
    case 'too_big':
      if (iss.origin === 'string') return 'validation.tooLong';
      if (iss.origin === 'array' || iss.origin === 'set') return 'validation.tooMany';
      return iss.inclusive ? 'validation.numberTooBig' : 'validation.numberBelow';
    case 'invalid_format':
      if (missing) return LIST_FORMATS.has(iss.format) ? 'validation.select' : 'validation.enter';
      if (DATE_FORMATS.has(iss.format)) return 'validation.realDate';
      if (iss.format === 'datetime') return 'validation.dateTime';
      if (iss.format === 'email') return 'validation.email';
      if (LIST_FORMATS.has(iss.format)) return 'validation.selectFromList';
      return 'validation.format';
    case 'invalid_value':
      return missing ? 'validation.select' : 'validation.selectFromList';
    case 'invalid_union': {
      if (!iss.discriminator) return missing ? 'validation.enter' : 'validation.format';
      const given = (iss.input as Record<string, unknown> | undefined)?.[iss.discriminator];
      return blank(given) ? 'validation.select' : 'validation.selectFromList';
    }
    case 'unrecognized_keys':
      return 'validation.unknownField';
    default:
      return 'validation.invalid';
  }
}

/**
 * THE error map: every zod issue a schema has no message of its own for becomes the key of a sentence
 * naming the field (GOV.UK error message patterns), and a label the schema gave the field travels with it.
 * Pass it to every parse whose errors a person may read (`parseInput`, `checkInput`).
 */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  const label = (iss.inst ? z.globalRegistry.get(iss.inst as z.ZodType) : undefined)?.label;
  const key = keyOf(iss);
  return typeof label === 'string' ? `${key}${LABEL_MARK}${label}` : key;
};

const LOCALE_KEY = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9-]+)+$/;

/** Capitalised camelCase words: `startDate` → "start date" (for a field that has no label yet). */
function inWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * The field in words for a path: `fields.<path joined in camelCase>` (doctor.name → fields.doctorName),
 * else `fields.<its own name>`, else its name in words; the whole form when the path is empty.
 */
export function labelFor(path: readonly PropertyKey[]): { key: string } | { text: string } {
  const names = path.filter((p): p is string => typeof p === 'string');
  if (names.length === 0) return { key: 'fields.form' };
  const joined = names.map((n, i) => (i === 0 ? n : n.charAt(0).toUpperCase() + n.slice(1))).join('');
  const { has } = platformEnglish();
  for (const candidate of [joined, names[names.length - 1]!]) {
    if (has(`fields.${candidate}`)) return { key: `fields.${candidate}` };
  }
  return { text: inWords(names[names.length - 1]!) };
}

/** One issue as a field problem: the error map's sentence with the field's label, or the schema's own words. */
export function problemOf(issue: z.core.$ZodIssue, path: readonly PropertyKey[] = issue.path): FieldProblem {
  const [key, labelKey] = issue.message.split(LABEL_MARK) as [string, string | undefined];
  if (!LOCALE_KEY.test(key)) return issue.message;
  const values: Record<string, string | number> = {};
  if ('minimum' in issue) values.minimum = Number(issue.minimum);
  if ('maximum' in issue) values.maximum = Number(issue.maximum);
  return { key, values, label: labelKey ? { key: labelKey } : labelFor(path) };
}

/** A field problem as a sentence in the language `t` speaks. */
export function renderProblem(t: Translate, problem: FieldProblem): string {
  if (typeof problem === 'string') return LOCALE_KEY.test(problem) ? t(problem) : problem;
  const field = !problem.label
    ? ''
    : 'key' in problem.label
      ? t(problem.label.key)
      : problem.label.cy && t('meta.lang') === 'cy'
        ? problem.label.cy
        : problem.label.text;
  // A date in a sentence is written as people write it (22 December 2026), in the reader's language.
  const lang = t('meta.lang') === 'cy' ? 'cy' : 'en';
  const values = Object.fromEntries(
    Object.entries(problem.values ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? longDate(v, lang) : v,
    ]),
  );
  return t(problem.key, { ...values, field, Field: field.charAt(0).toUpperCase() + field.slice(1) });
}

/** Every field's problem as a sentence in the language `t` speaks. */
export function renderProblems(t: Translate, problems: FieldMessages): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).map(([field, p]) => [field, renderProblem(t, p)]));
}

/** Every field's problem in English, as the JSON API gives them. */
export function inEnglish(problems: FieldMessages): Record<string, string> {
  return renderProblems(platformEnglish().t, problems);
}
