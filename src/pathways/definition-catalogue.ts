import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '@medplum/fhirtypes';
import { fhirPathProblem } from '../fhir/core/fhirpath.js';
import { validateFhirResource } from '../fhir/core/fhir-validation.js';
import { ValidationError, type FieldErrors } from '../shared/errors.js';
import { missingWelsh, parseDefinition, type PathwayDefinition } from './definition.js';
import { parseQuestionnaire, type StepForm } from './questionnaire.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function readJsonFiles(dir: string): Array<{ file: string; json: unknown }> {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as unknown }));
}

function fhirProblems(resource: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of validateFhirResource(resource as Resource))
    errors[issue.expression?.[0] ?? 'resource'] ??= issue.details?.text ?? issue.diagnostics ?? 'not valid FHIR R4';
  return errors;
}

/**
 * The shipped pathway definitions and the forms their steps use, read from
 * `definitions/` and `questionnaires/` and checked once at start-up: valid FHIR R4
 * (@medplum/core), in the format the engine reads, with Welsh for every title and description
 * (the HL7 translation extension), every condition a FHIRPath expression,
 * every form on file, and no two questions of one pathway sharing a link id.
 */
export class DefinitionCatalogue {
  private constructor(
    private readonly forms: ReadonlyMap<string, StepForm>,
    readonly shipped: readonly PathwayDefinition[],
  ) {}

  /** Loads and checks the files; a problem in any of them stops start-up with the file named. */
  static load(dir = here): DefinitionCatalogue {
    const forms = new Map<string, StepForm>();
    for (const { file, json } of readJsonFiles(path.join(dir, 'questionnaires'))) {
      const problems = fhirProblems(json);
      if (Object.keys(problems).length)
        throw new Error(`questionnaires/${file} is not valid FHIR: ${JSON.stringify(problems)}`);
      const form = parseQuestionnaire(json);
      forms.set(form.url, form);
    }
    const catalogue = new DefinitionCatalogue(forms, []);
    const shipped = readJsonFiles(path.join(dir, 'definitions')).map(({ file, json }) => {
      try {
        return catalogue.check(json);
      } catch (error) {
        if (error instanceof ValidationError)
          throw new Error(`definitions/${file}: ${JSON.stringify(error.fields)}`, { cause: error });
        throw error;
      }
    });
    return new DefinitionCatalogue(forms, shipped);
  }

  /** The form a step uses. */
  form(url: string): StepForm {
    const form = this.forms.get(url);
    if (!form) throw new Error(`no questionnaire ${url}`);
    return form;
  }

  /** Checks a PlanDefinition (shipped or uploaded) and reads it; every problem is reported under its element. */
  check(resource: unknown): PathwayDefinition {
    const structural = fhirProblems(resource);
    if (Object.keys(structural).length)
      throw new ValidationError(structural, 'The file is not a valid FHIR R4 PlanDefinition.', 'definition-invalid');
    const definition = parseDefinition(resource);
    // Officers read their pathway in Welsh too (issue 15 §8): every title and description carries it.
    const errors: FieldErrors = { ...missingWelsh(definition) };
    const owners = new Map<string, string>();
    definition.steps.forEach((step, i) => {
      if (step.condition) {
        const problem = fhirPathProblem(step.condition);
        if (problem) errors[`action.${i}.condition`] = `not a FHIRPath expression: ${problem}`;
      }
      if (!step.questionnaire) return;
      const form = this.forms.get(step.questionnaire);
      if (!form) {
        errors[`action.${i}.definitionCanonical`] = `there is no questionnaire ${step.questionnaire}`;
        return;
      }
      for (const item of form.items) {
        const owner = owners.get(item.linkId);
        if (owner && owner !== form.url)
          errors[`action.${i}.definitionCanonical`] =
            `question ${item.linkId} is also asked by ${owner}; facts would clash`;
        owners.set(item.linkId, form.url);
      }
    });
    if (Object.keys(errors).length)
      throw new ValidationError(errors, 'The pathway definition has problems.', 'definition-invalid');
    return definition;
  }
}
