import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Translator } from '../i18n/i18n.js';
import { renderProblems, type FieldMessages } from '../shared/error-messages.js';
import { unplainWords } from '../../test/support/plain-words.js';
import { parseQuestionnaire, readAnswers } from './questionnaire.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const form = parseQuestionnaire(
  JSON.parse(fs.readFileSync(path.join(here, 'questionnaires', 'msk-triage.json'), 'utf8')) as unknown,
);

/** The problems readAnswers gives for `input`. */
function problemsFor(input: Record<string, unknown>): FieldMessages {
  try {
    readAnswers(form, input);
  } catch (error) {
    return (error as { messages: FieldMessages }).messages;
  }
  throw new Error('the answers were accepted');
}

/** Issue 15 §1: a wrong answer names its question, in the reader's language, never in the code's words. */
describe('answers to a step’s form', () => {
  it('when answers are wrong or missing, then each sentence names its question, in English and in Welsh', () => {
    const translator = Translator.load();
    const [en, cy] = [translator.forLocale('en'), translator.forLocale('cy')];
    const choice = form.items.find((i) => i.type === 'choice')!;
    const yesNo = form.items.find((i) => i.type === 'boolean')!;
    const problems = problemsFor({ [choice.linkId]: 'not-an-option', [yesNo.linkId]: 'perhaps', stray: 'x' });
    const english = renderProblems(en, problems);
    const welsh = renderProblems(cy, problems);
    expect(english[choice.linkId]).toBe(`Select one of the answers given to: ${choice.text}`);
    expect(english[yesNo.linkId]).toBe(`Select yes or no for: ${yesNo.text}`);
    expect(english.stray).toBe('This is not a question on this form');
    expect(welsh[choice.linkId]).toBe(`Dewiswch un o'r atebion a roddwyd i: ${choice.cy!.text}`);
    expect(welsh[yesNo.linkId]).toBe(`Dewiswch ie neu na ar gyfer: ${yesNo.cy!.text}`);
    for (const sentence of [...Object.values(english), ...Object.values(welsh)])
      expect(unplainWords(sentence)).toBeNull();
  });
});
