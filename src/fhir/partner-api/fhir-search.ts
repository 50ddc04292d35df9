import { addDays, isIsoDate, startOfLondonDay, type IsoDate } from '../../shared/dates.js';
import type { Resource } from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.js';

/** The resource types partners read and search (issue 6 §4), and the ones they create (laboratory results). */
export const READABLE_TYPES = [
  'ServiceRequest',
  'Task',
  'Patient',
  'Consent',
  'QuestionnaireResponse',
  'DiagnosticReport',
  'Observation',
] as const;
export type ReadableType = (typeof READABLE_TYPES)[number];
export const SEARCHABLE_TYPES = ['ServiceRequest', 'Task', 'Patient', 'Consent', 'QuestionnaireResponse'] as const;
export type SearchableType = (typeof SEARCHABLE_TYPES)[number];

type ParamKind = 'id' | 'identifier' | 'status' | 'reference' | 'date';
interface ParamDef {
  kind: ParamKind;
  type: 'token' | 'reference' | 'date';
  documentation: string;
  /** For a reference: the type it points to. */
  target?: string;
}

const COMMON: Record<string, ParamDef> = {
  _id: { kind: 'id', type: 'token', documentation: 'The resource id; several separated by commas.' },
  _lastUpdated: {
    kind: 'date',
    type: 'date',
    documentation: 'When it last changed: gt, ge, lt, le or an exact instant or day; may repeat.',
  },
};
const identifier: ParamDef = {
  kind: 'identifier',
  type: 'token',
  documentation: 'A business identifier: system|value, |value or value; several separated by commas.',
};
const status = (codes: string): ParamDef => ({
  kind: 'status',
  type: 'token',
  documentation: `The status (${codes}); several separated by commas.`,
});

/** Every search parameter each type supports: exactly what the CapabilityStatement lists. */
export const SEARCH_PARAMS: Record<SearchableType, Record<string, ParamDef>> = {
  ServiceRequest: {
    ...COMMON,
    identifier,
    status: status('active, revoked'),
    subject: { kind: 'reference', type: 'reference', target: 'Patient', documentation: 'The patient: Patient/id.' },
  },
  Task: {
    ...COMMON,
    identifier,
    status: status('FHIR-4 task statuses'),
    focus: {
      kind: 'reference',
      type: 'reference',
      target: 'ServiceRequest',
      documentation: 'The referral it is about: ServiceRequest/id.',
    },
  },
  Patient: { ...COMMON, identifier },
  Consent: {
    ...COMMON,
    status: status('active, inactive'),
    patient: { kind: 'reference', type: 'reference', target: 'Patient', documentation: 'The patient: Patient/id.' },
  },
  QuestionnaireResponse: {
    ...COMMON,
    identifier,
    status: status('completed'),
    subject: { kind: 'reference', type: 'reference', target: 'Patient', documentation: 'The patient: Patient/id.' },
  },
};

/** Result parameters every search accepts. */
export const RESULT_PARAMS = {
  _count: 'Page size, 1 to 100 (20 when not given).',
  _offset: 'How many results to skip (paging; the next link gives it).',
} as const;
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;
const MAX_OFFSET = 10_000;
const MAX_VALUES = 50;

/** A parsed search, as the repository applies it. */
export interface SearchFilter {
  ids?: string[];
  identifiers?: Array<{ system?: string; value?: string }>;
  statuses?: string[];
  references?: string[];
  lastUpdated: Array<{ op: '>' | '>=' | '<' | '<='; at: Date }>;
  count: number;
  offset: number;
}

/** 400 for a search this server cannot do: an OperationOutcome says which parameter and why. */
export class SearchError extends AppError {
  constructor(code: 'unsupported-search-parameter' | 'invalid-search', publicMessage: string) {
    super({ code, status: 400, publicMessage });
  }
}

function values(name: string, raw: string | string[]): string[] {
  const list = [raw].flat();
  if (list.length > 1 && name !== '_lastUpdated')
    throw new SearchError('invalid-search', `Give ${name} once (separate several values with commas).`);
  const split = name === '_lastUpdated' ? list : list[0]!.split(',');
  if (split.length > MAX_VALUES || split.some((v) => v === '' || v.length > 300))
    throw new SearchError('invalid-search', `${name} has an empty or over-long value, or too many.`);
  return split;
}

function integer(name: string, raw: string | string[], min: number, max: number): number {
  const [v] = values(name, raw);
  if (!/^\d{1,6}$/.test(v!) || Number(v) < min || Number(v) > max)
    throw new SearchError('invalid-search', `${name} must be a whole number from ${min} to ${max}.`);
  return Number(v);
}

const DATE_PREFIX =
  /^(gt|ge|lt|le|eq)?(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?)$/;

function dateBounds(raw: string): SearchFilter['lastUpdated'] {
  const m = DATE_PREFIX.exec(raw);
  // A date with no time is a UK day (GMT or BST): from its midnight to the next, whatever the clocks did.
  const date = m?.[2];
  const at = !date ? null : isIsoDate(date) ? startOfLondonDay(date) : new Date(date);
  if (!m || !at || Number.isNaN(at.getTime()))
    throw new SearchError(
      'invalid-search',
      '_lastUpdated must be a date or instant, optionally prefixed gt, ge, lt, le or eq.',
    );
  const day = m[2]!.length === 10;
  const end = day ? startOfLondonDay(addDays(m[2] as IsoDate, 1)) : new Date(at.getTime() + 1);
  switch (m[1]) {
    case 'gt':
      return [{ op: day ? '>=' : '>', at: day ? end : at }];
    case 'ge':
      return [{ op: '>=', at }];
    case 'lt':
      return [{ op: '<', at }];
    case 'le':
      return [{ op: day ? '<' : '<=', at: day ? end : at }];
    default:
      return [
        { op: '>=', at },
        { op: '<', at: end },
      ];
  }
}

/**
 * Parses a search's query (as express gives it) for a type: only the parameters SEARCH_PARAMS
 * lists, with no modifiers, plus `_count`, `_offset` and `_format=json`. Anything else is a 400
 * saying which parameter is not supported, so a partner never gets silently wider results.
 */
export function parseSearch(
  resourceType: SearchableType,
  query: Record<string, string | string[] | undefined>,
): SearchFilter {
  const defs = SEARCH_PARAMS[resourceType];
  const filter: SearchFilter = { lastUpdated: [], count: DEFAULT_COUNT, offset: 0 };
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (name === '_count') filter.count = integer(name, raw, 1, MAX_COUNT);
    else if (name === '_offset') filter.offset = integer(name, raw, 0, MAX_OFFSET);
    else if (name === '_format') {
      if (!['json', 'application/json', 'application/fhir+json'].includes(values(name, raw)[0]!))
        throw new SearchError('invalid-search', 'Only JSON is served (_format=json).');
    } else {
      const def = Object.hasOwn(defs, name) ? defs[name] : undefined;
      if (!def)
        throw new SearchError(
          'unsupported-search-parameter',
          `The search parameter ${name.slice(0, 60)} is not supported for ${resourceType}; the CapabilityStatement lists those that are.`,
        );
      const list = values(name, raw);
      switch (def.kind) {
        case 'id':
          filter.ids = list;
          break;
        case 'status':
          filter.statuses = list;
          break;
        case 'identifier':
          filter.identifiers = list.map((v) => {
            const bar = v.indexOf('|');
            if (bar < 0) return { value: v };
            const system = v.slice(0, bar);
            const value = v.slice(bar + 1);
            if (value.includes('|')) throw new SearchError('invalid-search', 'An identifier is system|value.');
            return { ...(system ? { system } : {}), ...(value ? { value } : {}) };
          });
          break;
        case 'reference':
          filter.references = list.map((v) => {
            const ref = v.includes('/') ? v : `${def.target}/${v}`;
            if (!new RegExp(`^${def.target}/[A-Za-z0-9\\-.]{1,64}$`).test(ref))
              throw new SearchError('invalid-search', `${name} must be ${def.target}/id.`);
            return ref;
          });
          break;
        case 'date':
          for (const v of list) filter.lastUpdated.push(...dateBounds(v));
      }
    }
  }
  return filter;
}

/** The columns a resource is found by: its first business identifier, its status and the reference its type is searched by. */
export function searchColumns(resource: Resource): {
  identifierSystem: string | null;
  identifierValue: string | null;
  status: string | null;
  reference: string | null;
} {
  const r = resource as Resource & {
    identifier?: unknown;
    status?: unknown;
    subject?: { reference?: string };
    patient?: { reference?: string };
    focus?: { reference?: string };
  };
  const first = [r.identifier]
    .flat()
    .find(
      (i): i is { system?: string; value?: string } =>
        typeof i === 'object' && i !== null && typeof (i as { value?: unknown }).value === 'string',
    );
  const ref = resource.resourceType === 'Task' ? r.focus : resource.resourceType === 'Consent' ? r.patient : r.subject;
  return {
    identifierSystem: first?.system?.slice(0, 200) ?? null,
    identifierValue: first?.value?.slice(0, 200) ?? null,
    status: typeof r.status === 'string' ? r.status.slice(0, 40) : null,
    reference: typeof ref?.reference === 'string' ? ref.reference.slice(0, 120) : null,
  };
}
