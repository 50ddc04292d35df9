import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '@medplum/fhirtypes';
import { validateFhirResource } from '../fhir/core/fhir-validation.js';
import { ValidationError } from '../shared/errors.js';
import { parseSurveyQuestionnaire, type SurveyQuestionnaire } from './survey-questionnaire.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The shipped survey questionnaires, read from `questionnaires/` beside this file and checked once at start-up:
 * valid FHIR R4 (@medplum/core) and in the survey format (survey-questionnaire.ts), Welsh included.
 */
export class SurveyCatalogue {
  private constructor(private readonly byId: ReadonlyMap<string, SurveyQuestionnaire>) {}

  /** Loads and checks the files; a problem in any of them stops start-up with the file named. */
  static load(dir = path.join(here, 'questionnaires')): SurveyCatalogue {
    const byId = new Map<string, SurveyQuestionnaire>();
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const file of files) {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      } catch (error) {
        throw new Error(`questionnaires/${file} is not JSON`, { cause: error });
      }
      const problems: Record<string, string> = {};
      for (const issue of validateFhirResource(json as Resource))
        problems[issue.expression?.[0] ?? 'resource'] ??=
          issue.details?.text ?? issue.diagnostics ?? 'not valid FHIR R4';
      if (Object.keys(problems).length)
        throw new Error(`questionnaires/${file} is not valid FHIR: ${JSON.stringify(problems)}`);
      let survey: SurveyQuestionnaire;
      try {
        survey = parseSurveyQuestionnaire(json);
      } catch (error) {
        if (error instanceof ValidationError)
          throw new Error(`questionnaires/${file}: ${JSON.stringify(error.fields)}`, { cause: error });
        throw error;
      }
      if (byId.has(survey.id)) throw new Error(`questionnaires/${file}: ${survey.id} is shipped twice`);
      byId.set(survey.id, survey);
    }
    return new SurveyCatalogue(byId);
  }

  /** Every shipped questionnaire, by title. */
  list(): SurveyQuestionnaire[] {
    return [...this.byId.values()].sort((a, b) => a.title.localeCompare(b.title, 'en-GB'));
  }

  get(id: string): SurveyQuestionnaire | undefined {
    return this.byId.get(id);
  }
}
