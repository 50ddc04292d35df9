import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { AppError } from '../../shared/errors.js';

type IssueType = OperationOutcomeIssue['code'];

/** Our error codes that have a more exact FHIR issue type than their HTTP status gives. */
const ISSUE_TYPES: Record<string, IssueType> = {
  duplicate: 'duplicate',
  'unsupported-search-parameter': 'not-supported',
  'unsupported-media-type': 'not-supported',
  'unsupported-operation': 'not-supported',
  'invalid-resource': 'structure',
  'malformed-json': 'structure',
  'invalid-search': 'invalid',
  'version-conflict': 'conflict',
  'precondition-failed': 'conflict',
  'consent-not-given': 'forbidden',
  'insufficient-scope': 'forbidden',
  'payload-too-large': 'too-costly',
  'too-many-requests': 'throttled',
};

const BY_STATUS: Record<number, IssueType> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  405: 'not-supported',
  409: 'conflict',
  410: 'deleted',
  412: 'conflict',
  413: 'too-costly',
  415: 'not-supported',
  422: 'business-rule',
  429: 'throttled',
};

/** An error as a FHIR OperationOutcome (issue 6 §4): the issue type, our code, and the public message — never more. */
export function operationOutcomeOf(
  error: Pick<AppError, 'code' | 'status' | 'publicMessage' | 'fields'>,
): OperationOutcome {
  const code = ISSUE_TYPES[error.code] ?? BY_STATUS[error.status] ?? 'exception';
  const fieldIssues = Object.entries(error.fields ?? {}).map(([path, text]): OperationOutcomeIssue => ({
    severity: 'error',
    code,
    details: { text },
    expression: [path],
  }));
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code,
        details: {
          coding: [{ system: 'https://bluelightpathways.org.uk/CodeSystem/error', code: error.code }],
          text: error.publicMessage,
        },
      },
      ...fieldIssues,
    ],
  };
}
