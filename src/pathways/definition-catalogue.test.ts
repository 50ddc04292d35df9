import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateFhirResource } from '../fhir/core/fhir-validation.js';
import { DefinitionCatalogue } from './definition-catalogue.js';
import { exportDefinition, inLanguage, parseDefinition } from './definition.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = (code: string) =>
  JSON.parse(fs.readFileSync(path.join(here, 'definitions', `${code}.json`), 'utf8')) as Record<string, unknown>;

describe('the shipped pathway definitions', () => {
  const catalogue = DefinitionCatalogue.load();

  it('when the platform starts, then the five pathways load, each version 1', () => {
    expect(catalogue.shipped.map((d) => [d.code, d.version])).toEqual([
      ['bbv', 1],
      ['dental', 1],
      ['mental-health', 1],
      ['msk', 1],
      ['retirement', 1],
    ]);
  });

  for (const code of ['msk', 'mental-health', 'dental', 'retirement']) {
    it(`when ${code} is loaded, exported and loaded again, then it is the same definition, the same resource, and valid FHIR R4`, () => {
      const original = file(code);
      const loaded = catalogue.check(original);
      const exported = exportDefinition(loaded);
      expect(validateFhirResource(exported as never)).toEqual([]);
      expect(catalogue.check(exported)).toEqual(loaded);
      expect(exported).toEqual(original);
    });
  }

  it('when bbv is loaded, exported and loaded again, then its window-end facts, escalation periods of 0 and completed-by steps come back unchanged, and it is valid FHIR R4', () => {
    const original = file('bbv');
    const loaded = catalogue.check(original);
    const exported = exportDefinition(loaded);
    expect(validateFhirResource(exported as never)).toEqual([]);
    expect(catalogue.check(exported)).toEqual(loaded);
    expect(exported).toEqual(original);
    const step = (id: string) => loaded.steps.find((s) => s.id === id)!;
    expect(step('test-4-6-weeks').timing.until).toBe('firstWindowEnd');
    expect(step('test-6-months').timing.until).toBe('sixMonthWindowEnd');
    expect(step('risk-assessment').escalationPeriod).toEqual({ value: 0, unit: 'h' });
    expect(loaded.steps.filter((s) => s.completedBy === 'bbv-incident').map((s) => s.id)).toEqual([
      'risk-assessment',
      'pep-decision',
      'hbv-decision',
      'test-4-6-weeks',
      'test-3-months',
      'test-6-months',
      'specialist-referral',
    ]);
  });

  it('when the bbv definition is published with a negative escalation period, then it is refused with the step named', () => {
    const bad = structuredClone(file('bbv')) as {
      action: Array<{ extension: Array<{ url: string; valueDuration?: { value: number } }> }>;
    };
    bad.action[0]!.extension.find((e) => e.url.endsWith('escalation-period'))!.valueDuration!.value = -1;
    try {
      catalogue.check(bad);
      expect.unreachable();
    } catch (error) {
      expect((error as { fields: Record<string, string> }).fields['action.0.extension']).toContain('negative');
    }
  });

  it('when a definition names a questionnaire that does not exist, a condition that is not FHIRPath, or a clashing question, then each is refused with its element named', () => {
    const bad = structuredClone(file('msk')) as { action: Array<Record<string, unknown>> };
    bad.action[0]!.definitionCanonical = 'https://bluelightpathways.org.uk/fhir/Questionnaire/nowhere';
    bad.action[1]!.condition = [
      { kind: 'applicability', expression: { language: 'text/fhirpath', expression: "backPain = = 'x'" } },
    ];
    try {
      catalogue.check(bad);
      expect.unreachable();
    } catch (error) {
      const fields = (error as { fields: Record<string, string> }).fields;
      expect(fields['action.0.definitionCanonical']).toContain('there is no questionnaire');
      expect(fields['action.1.condition']).toContain('not a FHIRPath expression');
    }
    const clash = structuredClone(file('msk')) as { action: Array<Record<string, unknown>> };
    // The retirement close form also asks `outcome`; used beside msk-close its answers would overwrite each other.
    clash.action[0]!.definitionCanonical = 'https://bluelightpathways.org.uk/fhir/Questionnaire/retirement-close';
    expect(() => catalogue.check(clash)).toThrow(expect.objectContaining({ code: 'definition-invalid' }));
  });

  it('when a resource is not a PlanDefinition at all, then it is refused as invalid FHIR before anything else', () => {
    expect(() => catalogue.check({ resourceType: 'PlanDefinition', status: 'no-such-status' })).toThrow(
      expect.objectContaining({ code: 'definition-invalid' }),
    );
    expect(() => parseDefinition({ resourceType: 'Patient' })).toThrow(
      expect.objectContaining({ code: 'definition-invalid' }),
    );
  });

  it('when a definition lacks the Welsh of its title, a step’s description or a step’s words for the person, then it is refused with each element named', () => {
    const bad = structuredClone(file('mental-health')) as Record<string, unknown> & {
      action: Array<Record<string, unknown>>;
    };
    delete bad._title;
    delete bad.action[2]!._description;
    // A translation into another language is not Welsh.
    bad.action[3]!._textEquivalent = {
      extension: [
        {
          url: 'http://hl7.org/fhir/StructureDefinition/translation',
          extension: [
            { url: 'lang', valueCode: 'fr' },
            { url: 'content', valueString: 'Neuf questions' },
          ],
        },
      ],
    };
    try {
      catalogue.check(bad);
      expect.unreachable();
    } catch (error) {
      const fields = (error as { fields: Record<string, string> }).fields;
      expect(Object.keys(fields).sort()).toEqual(['_title', 'action.2._description', 'action.3._textEquivalent']);
      expect(fields._title).toContain('Welsh');
    }
  });

  it('when a Welsh reader reads a pathway, then its title and steps are in Welsh; an English reader’s are unchanged', () => {
    const msk = catalogue.shipped.find((d) => d.code === 'msk')!;
    const cy = inLanguage(msk, 'cy');
    expect(cy.title).toBe('Llwybr cyhyrysgerbydol (MSK)');
    expect(cy.steps.find((s) => s.id === 'startback')!.staffText).toBe(
      'Byddwch chi’n ateb naw cwestiwn byr am eich poen cefn.',
    );
    expect(cy.steps.map((s) => s.timing)).toEqual(msk.steps.map((s) => s.timing));
    expect(inLanguage(msk, 'en')).toBe(msk);
    // Every text differs from the English: none was left untranslated.
    for (const d of catalogue.shipped) {
      const w = inLanguage(d, 'cy');
      expect(w.title).not.toBe(d.title);
      w.steps.forEach((s, i) => expect(s.staffText).not.toBe(d.steps[i]!.staffText));
    }
  });
});
