import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as attendance from '../attendance/attendance-schemas.js';
import * as procedure from '../attendance/procedure-schemas.js';
import * as auth from '../auth/auth-schemas.js';
import * as consent from '../consent/consent-schemas.js';
import { Translator } from '../i18n/i18n.js';
import * as pathways from '../pathways/pathway-schemas.js';
import * as referrals from '../pathways/referral-schemas.js';
import * as people from '../people/people-schemas.js';
import { messagesFor, unplainWords } from '../../test/support/plain-words.js';
import { ValidationError } from './errors.js';
import { renderProblem } from './error-messages.js';
import { checkInput, fieldErrors, fieldMessages, parseInput } from './validation.js';

/** Every input schema the routes and forms parse with (response shapes are ours, not the reader's). */
const INPUT_SCHEMAS = Object.entries({
  ...attendance,
  ...procedure,
  ...auth,
  ...consent,
  ...pathways,
  ...referrals,
  ...people,
} as Record<string, unknown>).filter(
  (entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType && !/Response$/.test(entry[0]),
);

describe('the error map (issue 15 §1)', () => {
  it('when every input schema is given an empty object and a wrong-typed one, then every message is a plain sentence naming its field', () => {
    expect(INPUT_SCHEMAS.length).toBeGreaterThan(40);
    const problems = INPUT_SCHEMAS.flatMap(([name, schema]) =>
      messagesFor(schema)
        .map((m) => ({ ...m, why: unplainWords(m.message) }))
        .filter((m) => m.why !== null)
        .map((m) => `${name} (${m.input}) ${m.field}: "${m.message}" is ${m.why}`),
    );
    expect(problems).toEqual([]);
  });

  it('when the empty "Ask for consent" form is checked, then it asks which consent, not for a discriminator', () => {
    expect(messagesFor(consent.consentRequestSchema)[0]).toEqual({
      input: 'empty',
      field: 'kind',
      message: 'Select which consent you are asking for',
    });
  });

  it('when an empty share is checked, then it names the partner, not a string that was undefined', () => {
    const result = checkInput(pathways.shareReferralSchema, {});
    expect(fieldErrors(result.error!)).toEqual({ partnerOrganisationId: 'Select the NHS partner' });
  });

  it('when a date is missing, wrong or not a real day, then the sentence names the date in words', () => {
    const errors = (input: unknown) => fieldErrors(checkInput(attendance.recordAbsenceSchema, input).error!);
    expect(errors({ reasonCategory: 'cold-flu' }).startDate).toBe('Enter the date the absence started');
    expect(errors({ startDate: '2026-02-30', reasonCategory: 'cold-flu' }).startDate).toBe(
      'The date the absence started must be a real date',
    );
    expect(errors({ startDate: 'soon', reasonCategory: 'cold-flu' }).startDate).toBe(
      'The date the absence started must be a real date',
    );
    expect(errors({ startDate: 20260101, reasonCategory: 'cold-flu' }).startDate).toBe(
      'The date the absence started must be a real date',
    );
  });

  it('when a string is too long or a number out of range, then the limit is said with the field', () => {
    const tooLong = fieldErrors(checkInput(consent.textSchema, { text: 'x'.repeat(4001) }).error!);
    expect(tooLong.text).toBe('The text must be 4000 characters or fewer');
    const days = fieldErrors(
      checkInput(attendance.sickPayExtensionSchema, {
        fullPayExtraDays: -1,
        halfPayExtraDays: 1.5,
        reason: 'x'.repeat(10),
        decidedOn: '2026-01-01',
      }).error!,
    );
    expect(days).toMatchObject({
      fullPayExtraDays: 'The extra days on full pay must be 0 or more',
      halfPayExtraDays: 'The extra days on half pay must be a whole number',
    });
  });

  it('when a field is not one the schema takes, then it is named in words', () => {
    const errors = fieldErrors(checkInput(pathways.pauseSchema, { reason: 'Away', shiftPattern: 'x' }).error!);
    expect(errors).toEqual({ shiftPattern: 'This form does not ask for shift pattern' });
  });

  it('when a schema wrote its own sentence, then it is kept', () => {
    const errors = fieldErrors(checkInput(procedure.procedureStepSchema, {}).error!);
    expect(errors.step).toBe('Choose the step: informal action, or stage 1, 2 or 3');
  });

  it('when a page renders the messages, then they are in the reader’s language; the API keeps English in error.fields', async () => {
    const translator = await Translator.create();
    const result = checkInput(attendance.recordAbsenceSchema, { reasonCategory: 'cold-flu' });
    const problem = fieldMessages(result.error!).startDate!;
    expect(renderProblem(translator.forLocale('cy'), problem)).toBe('Rhowch y dyddiad y dechreuodd yr absenoldeb');
    expect(renderProblem(translator.forLocale('en'), problem)).toBe('Enter the date the absence started');
    let thrown: unknown;
    try {
      parseInput(attendance.recordAbsenceSchema, { reasonCategory: 'cold-flu' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).fields).toEqual({ startDate: 'Enter the date the absence started' });
  });
});

describe('labels', () => {
  it('when a field has a label, then it has one in English and in Welsh, written to follow "Enter" or "Select"', async () => {
    const translator = await Translator.create();
    const load = (l: 'en' | 'cy') =>
      Object.keys(
        (
          JSON.parse(
            fs.readFileSync(
              path.join(path.dirname(fileURLToPath(import.meta.url)), `../i18n/locales/${l}.json`),
              'utf8',
            ),
          ) as { fields: Record<string, string> }
        ).fields,
      );
    expect(load('cy')).toEqual(load('en'));
    for (const f of load('en')) {
      expect(translator.forLocale('en')(`fields.${f}`)).toMatch(/^[a-z]/);
      expect(translator.forLocale('cy')(`fields.${f}`)).toMatch(/^[a-zâêîôûŵŷ]/);
    }
  });
});
