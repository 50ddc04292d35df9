import { evalFhirPath, parseFhirPath } from '@medplum/core';

/** Why a FHIRPath expression cannot be read (the parser's words, which hold no data), or null when it parses. */
export function fhirPathProblem(expression: string): string | null {
  try {
    parseFhirPath(expression);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : 'not a FHIRPath expression';
  }
}

/**
 * Evaluates an applicability condition over a pathway's facts (a plain object of answers).
 * true or false when the expression yields that single boolean; null when it yields nothing,
 * which is what FHIRPath gives while a fact it compares is not yet recorded.
 */
export function evaluateCondition(expression: string, facts: Readonly<Record<string, unknown>>): boolean | null {
  const result = evalFhirPath(expression, facts);
  if (result.length === 0) return null;
  if (result.length === 1 && typeof result[0] === 'boolean') return result[0];
  // Anything else (a number, several values) is not a yes or no; treat it as unknown rather than guess.
  return null;
}
