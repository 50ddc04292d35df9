import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formInLanguage, parseQuestionnaire } from './questionnaire.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = (id: string) =>
  JSON.parse(fs.readFileSync(path.join(here, 'questionnaires', `${id}.json`), 'utf8')) as Record<string, unknown> & {
    item: Array<Record<string, unknown> & { answerOption?: Array<{ valueCoding: Record<string, unknown> }> }>;
  };

/** Issue 15 §8: the steps' forms in Welsh (HL7 translation extension), validated instruments excepted. */
describe('questionnaires in Welsh', () => {
  it('when a Welsh reader opens a form, then its title, questions and options are in Welsh; an English reader’s are unchanged', () => {
    const form = parseQuestionnaire(file('msk-triage'));
    const cy = formInLanguage(form, 'cy');
    expect(cy.title).toBe('Brysbennu MSK');
    expect(cy.items[0]!.text).toBe('Ai poen cefn yw’r brif broblem?');
    expect(cy.items[1]!.options.find((o) => o.code === 'knee')!.display).toBe('Pen-glin');
    expect(cy.items.map((i) => i.linkId)).toEqual(form.items.map((i) => i.linkId));
    expect(formInLanguage(form, 'en')).toBe(form);
    expect(form.englishOnly).toBe(false);
  });

  it('when a form lacks the Welsh of a question, an option or its title, then it is refused with each element named', () => {
    const bad = file('msk-triage');
    delete bad._title;
    delete bad.item[0]!._text;
    delete bad.item[1]!.answerOption![2]!.valueCoding._display;
    try {
      parseQuestionnaire(bad);
      expect.unreachable();
    } catch (error) {
      const fields = (error as { fields: Record<string, string> }).fields;
      expect(Object.keys(fields).sort()).toEqual([
        '_title',
        'item.0._text',
        'item.1.answerOption.2.valueCoding._display',
      ]);
    }
  });

  it('when a validated instrument has no official Welsh text, then it loads, stays in English for a Welsh reader and is marked so', () => {
    for (const id of ['startback', 'phq9', 'gad7', 'phq4']) {
      const form = parseQuestionnaire(file(id));
      expect(form.englishOnly, id).toBe(true);
      expect(formInLanguage(form, 'cy').items.map((i) => i.text)).toEqual(form.items.map((i) => i.text));
    }
  });
});
