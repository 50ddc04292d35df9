import type { DiagnosticReport, Observation, Reference } from '@medplum/fhirtypes';
import { REFERRAL_SYSTEM } from '../delivery/referral-bundle.js';

/** R4 DiagnosticReport.status codes (a required binding the library does not check, FHIR-9). */
export const REPORT_STATUSES = [
  'registered',
  'partial',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'appended',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;
/** R4 Observation.status codes. */
export const OBSERVATION_STATUSES = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;

/** The referral a result answers: our ServiceRequest by id, or by the referral's business identifier. */
export type ReferralRef = { id: string } | { referralId: string };

/** Which of our ServiceRequests a result is based on (`basedOn`), if it names exactly one. */
export function basedOnReferral(resource: { basedOn?: Reference[] }): ReferralRef | null {
  const refs = (resource.basedOn ?? []).flatMap((r): ReferralRef[] => {
    const m = typeof r.reference === 'string' ? /^ServiceRequest\/([A-Za-z0-9\-.]{1,64})$/.exec(r.reference) : null;
    if (m) return [{ id: m[1]! }];
    if (
      r.identifier?.system === REFERRAL_SYSTEM &&
      typeof r.identifier.value === 'string' &&
      r.identifier.value.length <= 64
    )
      return [{ referralId: r.identifier.value }];
    return [];
  });
  return refs.length === 1 ? refs[0]! : null;
}

const hasCode = (c: { coding?: Array<{ code?: string }>; text?: string } | undefined) =>
  !!c &&
  ((c.coding ?? []).some((x) => typeof x.code === 'string' && x.code !== '') ||
    (typeof c.text === 'string' && c.text.trim() !== ''));

/**
 * What is wrong with a laboratory DiagnosticReport a partner sends (issue 6 §4), beyond its
 * structure: a status from the R4 set, a code, one referral of ours it is based on (unless it
 * arrives in a transaction whose Observations are), and results that are Observations.
 */
export function reportProblems(report: DiagnosticReport, options: { inTransaction: boolean }): string[] {
  const problems: string[] = [];
  if (!(REPORT_STATUSES as readonly string[]).includes(report.status))
    problems.push(`DiagnosticReport.status must be one of ${REPORT_STATUSES.join(', ')}.`);
  if (!hasCode(report.code)) problems.push('DiagnosticReport.code needs a coding or text (what was tested).');
  if (!basedOnReferral(report))
    problems.push(
      'DiagnosticReport.basedOn must name the one referral it answers: ServiceRequest/id, or its identifier.',
    );
  for (const r of report.result ?? []) {
    const ok =
      typeof r.reference === 'string' &&
      (/^Observation\/[A-Za-z0-9\-.]{1,64}$/.test(r.reference) ||
        (options.inTransaction && /^urn:uuid:[0-9a-f-]{36}$/.test(r.reference)));
    if (!ok)
      problems.push(
        'DiagnosticReport.result must reference Observations (Observation/id, or urn:uuid: within a transaction).',
      );
  }
  return problems;
}

/** What is wrong with a laboratory Observation: a status, a code, a value (or why there is none), and — alone — the referral it answers. */
export function observationProblems(observation: Observation, options: { inTransaction: boolean }): string[] {
  const problems: string[] = [];
  if (!(OBSERVATION_STATUSES as readonly string[]).includes(observation.status))
    problems.push(`Observation.status must be one of ${OBSERVATION_STATUSES.join(', ')}.`);
  if (!hasCode(observation.code)) problems.push('Observation.code needs a coding or text (what was measured).');
  const valued =
    Object.keys(observation).some((k) => k.startsWith('value')) ||
    observation.dataAbsentReason !== undefined ||
    (observation.component?.length ?? 0) > 0;
  if (!valued) problems.push('Observation needs a value, components, or a dataAbsentReason.');
  if (!options.inTransaction && !basedOnReferral(observation))
    problems.push('Observation.basedOn must name the one referral it answers: ServiceRequest/id, or its identifier.');
  return problems;
}

/** The business identifier a result carries, for a conditional create. */
export function resultIdentifier(resource: {
  identifier?: Array<{ system?: string; value?: string }>;
}): { system: string; value: string } | null {
  const i = resource.identifier?.find((x) => typeof x.system === 'string' && typeof x.value === 'string');
  return i ? { system: i.system!, value: i.value! } : null;
}

/** `identifier=system|value`, the only conditional-create criterion supported. */
export function parseIfNoneExist(value: string): { system: string; value: string } | null {
  const m = /^identifier=([^|&=]{1,200})\|([^|&=]{1,200})$/.exec(value.trim());
  if (!m) return null;
  try {
    return { system: decodeURIComponent(m[1]!), value: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
}

type Concept = { coding?: Array<{ display?: string; code?: string }>; text?: string } | undefined;
const words = (c: Concept) => c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? null;

/** An Observation's value in words: a quantity with its unit, a coded or plain answer, or why there is none. */
export function observationValue(o: Observation): string {
  if (o.valueQuantity)
    return `${o.valueQuantity.comparator ?? ''}${o.valueQuantity.value ?? ''}${o.valueQuantity.unit ? ` ${o.valueQuantity.unit}` : ''}`.trim();
  if (o.valueCodeableConcept) return words(o.valueCodeableConcept) ?? '';
  if (o.valueString !== undefined) return o.valueString;
  if (o.valueBoolean !== undefined) return o.valueBoolean ? 'Yes' : 'No';
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  if (o.valueDateTime !== undefined) return o.valueDateTime;
  if (o.component?.length)
    return o.component
      .map(
        (c) =>
          `${words(c.code) ?? ''}: ${c.valueQuantity ? `${c.valueQuantity.value ?? ''} ${c.valueQuantity.unit ?? ''}`.trim() : (words(c.valueCodeableConcept) ?? c.valueString ?? '')}`,
      )
      .join('; ');
  return words(o.dataAbsentReason) ? `No value: ${words(o.dataAbsentReason)}` : '';
}

/** A laboratory result as OH clinicians read it (page and API): what was tested, its status, conclusion and each value. */
export function resultView(result: {
  report: DiagnosticReport;
  observations: Observation[];
  partnerOrganisationId: string;
  receivedAt: Date;
}) {
  const r = result.report;
  return {
    id: r.id ?? null,
    test: words(r.code) ?? 'Laboratory result',
    status: r.status,
    issued: r.issued ?? r.effectiveDateTime ?? null,
    conclusion: r.conclusion ?? null,
    partnerOrganisationId: result.partnerOrganisationId,
    receivedAt: result.receivedAt.toISOString(),
    observations: result.observations.map((o) => ({
      test: words(o.code) ?? '',
      value: observationValue(o),
      status: o.status,
      interpretation: o.interpretation?.map(words).filter(Boolean).join(', ') || null,
      referenceRange:
        o.referenceRange
          ?.map((x) => x.text ?? [x.low?.value, x.high?.value].filter((v) => v !== undefined).join('–'))
          .filter(Boolean)
          .join('; ') || null,
    })),
  };
}
