import { z } from 'zod';
import type { AppDependencies } from '../web/app-dependencies.js';
import { policies } from '../auth/access-policy.js';
import { consentToFhir } from '../fhir/core/consent-resource.js';
import { londonDay } from '../shared/dates.js';
import type { ConsentRecord } from './consent-service.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import {
  applicationSchema,
  checkSchema,
  consentIdParam,
  consentJson,
  consentRequestSchema,
  consentResponse,
  correctionAnswerSchema,
  correctionParams,
  decisionSchema,
  gateDecisionResponse,
  onBehalfSchema,
  personIdParam,
  recipientReportsResponse,
  reportResponse,
  reportSchema,
  supplyDecisionSchema,
  textSchema,
  withdrawalSchema,
} from './consent-schemas.js';

/** Consent over the API (issue 5 §6). Illegal transitions are 409s with the rule's code. */
export function consentRoutes(deps: AppDependencies): RouteDefinition[] {
  const { consent } = deps.services;
  const tags = ['consent'];
  const one = {
    200: { description: 'The consent, with its history', schema: consentResponse },
    404: { description: 'No such consent within your reach' },
    409: { description: 'Not allowed in the consent’s present state; `error.code` says why' },
  };
  // The person's own steps: OH records a letter from them instead (issue 14 §4).
  const personOnly = {
    403: { description: 'Not the person: `person-decides` (OH records their letter at /on-behalf)' },
  };
  const idRoute = (
    path: string,
    policy: (typeof policies)[keyof typeof policies],
    summary: string,
    body: z.ZodType | undefined,
    act: (req: Parameters<RouteDefinition['handler']>[0], id: string, body: never) => Promise<ConsentRecord>,
    more: Record<number, { description: string }> = {},
  ): RouteDefinition =>
    apiRoute({
      method: 'post',
      path: `/api/v1/consents/:id/${path}`,
      policy,
      summary,
      tags,
      params: consentIdParam,
      ...(body ? { body } : {}),
      responses: { ...one, ...more },
      handler: async (req, res, input) => {
        res.json(consentJson(req.actor!, await act(req, input.params.id, input.body as never)));
      },
    });
  return [
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/consents',
      policy: policies.consentsRequest,
      summary:
        'Ask a person for consent: a report from a doctor who treats them (AMRA), release of an OH report to their manager or HR, or sharing with an NHS partner. The written notice is emailed, or printed from the letter page.',
      tags,
      params: personIdParam,
      body: consentRequestSchema,
      responses: {
        201: { description: 'The consent request', schema: consentResponse },
        404: { description: 'No such person' },
        422: {
          description:
            'Not valid (for example, email chosen for a protected-identity officer with no personal address, CONF-3)',
        },
      },
      handler: async (req, res, { params, body }) => {
        const input =
          body.kind === 'nhs-sharing'
            ? { ...body, periodEnd: body.periodEnd ?? null }
            : body.kind === 'amra-report'
              ? { ...body, doctor: { name: body.doctor.name, practice: body.doctor.practice ?? null } }
              : body;
        res
          .status(201)
          .json(consentJson(req.actor!, await consent.request(requestContext(req), params.personId, input)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/consents',
      policy: policies.consentsRead,
      summary: 'Every consent a person has, newest first (the person their own; OH).',
      tags,
      params: personIdParam,
      responses: {
        200: { description: 'Consents', schema: z.object({ items: z.array(consentResponse) }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params }) => {
        res.json({
          items: (await consent.forPerson(requestContext(req), params.personId)).map((r) => consentJson(req.actor!, r)),
        });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/consents/:id',
      policy: policies.consentsRead,
      summary:
        'One consent: kind, status, recipient, purpose, the AMRA dates (application, earliest release, retention) and its history.',
      tags,
      params: consentIdParam,
      responses: one,
      handler: async (req, res, { params }) => {
        res.json(consentJson(req.actor!, await consent.get(requestContext(req), params.id)));
      },
    }),
    idRoute(
      'decision',
      policies.consentsAct,
      'The person gives or refuses consent (in the platform), or OH records a decision made on paper, or verbally with a witness (never for AMRA: in writing, AMRA-1; 422 verbal-not-allowed). Giving consent to a report says whether they wish to see it first (AMRA-3).',
      decisionSchema,
      (req, id, body: z.infer<typeof decisionSchema>) =>
        consent.decide(requestContext(req), id, {
          decision: body.decision,
          method: body.method,
          witness: body.witness ?? null,
          documentReference: body.documentReference ?? null,
          wishesToSeeReport: body.wishesToSeeReport ?? null,
        }),
    ),
    idRoute(
      'application',
      policies.consentsProcess,
      'Record the application to the doctor (AMRA-3): only after consent; the person is told it was made, and when.',
      applicationSchema,
      (req, id, body: z.infer<typeof applicationSchema>) =>
        consent.recordApplication(requestContext(req), id, body.applicationDate),
    ),
    idRoute(
      'access-request',
      policies.consentsAct,
      'The person asks to see the report before it is supplied; after the application, the 21 days run from this request (AMRA-4).',
      undefined,
      (req, id) => consent.requestAccess(requestContext(req), id),
      personOnly,
    ),
    idRoute(
      'report',
      policies.consentsClinical,
      'Record the report: from the doctor, with any withheld parts and their grounds (AMRA-7); or the OH report to release, which waits out the review period if the person asked to see it (§5b).',
      reportSchema,
      (req, id, body: z.infer<typeof reportSchema>) =>
        consent.recordReport(requestContext(req), id, {
          text: body.text,
          receivedOn: body.receivedOn,
          withheldParts: (body.withheldParts ?? []).map((p) => ({ ground: p.ground, note: p.note ?? null })),
        }),
    ),
    idRoute(
      'corrections',
      policies.consentsAct,
      'Ask in writing for something incorrect or misleading in the report to be corrected (AMRA-5, §5b); the report waits until it is answered.',
      textSchema,
      (req, id, body: z.infer<typeof textSchema>) => consent.requestCorrection(requestContext(req), id, body.text),
      personOnly,
    ),
    apiRoute({
      method: 'post',
      path: '/api/v1/consents/:id/corrections/:number/answer',
      policy: policies.consentsClinical,
      summary:
        'Answer a correction request: amend the report, or decline (the person may then attach a statement, AMRA-5).',
      tags,
      params: correctionParams,
      body: correctionAnswerSchema,
      responses: one,
      handler: async (req, res, { params, body }) => {
        res.json(
          consentJson(
            req.actor!,
            await consent.answerCorrection(requestContext(req), params.id, params.number, {
              response: body.response,
              amendedText: body.amendedText ?? null,
              note: body.note ?? null,
            }),
          ),
        );
      },
    }),
    idRoute(
      'statement',
      policies.consentsAct,
      'Attach the person’s statement of their views to the report, where a correction was declined (AMRA-5).',
      textSchema,
      (req, id, body: z.infer<typeof textSchema>) => consent.attachStatement(requestContext(req), id, body.text),
      personOnly,
    ),
    idRoute(
      'supply-decision',
      policies.consentsAct,
      'After seeing the report: agree to its supply (it goes at once) or refuse it (withheld for good; the recipient is told only that no report is available, AMRA-5, AMRA-8).',
      supplyDecisionSchema,
      (req, id, body: z.infer<typeof supplyDecisionSchema>) =>
        consent.decideSupply(requestContext(req), id, body.agree),
      personOnly,
    ),
    idRoute(
      'release',
      policies.consentsProcess,
      'Release the report to its recipient: refused before the earliest release date (AMRA-4, §5b), and never after the person refused.',
      undefined,
      (req, id) => consent.release(requestContext(req), id),
    ),
    idRoute(
      'on-behalf',
      policies.consentsOnBehalf,
      'Record a step the person took in a letter (for someone with no account, or written to by post): seen the report, supply decision (`agree`), correction or statement (`text`; OH clinicians), access request. The same rules and statutory periods as when the person acts, counted from the day the letter was received (AMRA-4, AMRA-5, AMRA-6); audited as recorded on their behalf.',
      onBehalfSchema,
      (req, id, body: z.infer<typeof onBehalfSchema>) => consent.recordOnBehalf(requestContext(req), id, body),
      {
        403: {
          description:
            'Not OH, or `clinical-content`: a correction or statement is recorded by an OH clinician (CONF-1)',
        },
        410: {
          description: 'An access request after the 6 months the report is kept: `report-no-longer-held` (AMRA-6)',
        },
      },
    ),
    idRoute(
      'withdraw',
      policies.consentsAct,
      'Withdraw consent, at once: referrals queued under it alone are cancelled, and the consent shows what was stopped and what had already been sent (§5c). The person sends no body; OH records how and when the person said so (`method`, `saidOn`, and a written one’s `documentReference`).',
      withdrawalSchema,
      (req, id, body: z.infer<typeof withdrawalSchema>) =>
        consent.withdraw(requestContext(req), id, {
          method: body?.method,
          saidOn: body?.saidOn,
          documentReference: body?.documentReference ?? null,
        }),
    ),
    apiRoute({
      method: 'get',
      path: '/api/v1/consents/:id/report',
      policy: policies.consentsReport,
      summary:
        'The report, with its corrections, statement and withheld grounds: for the person (reading it is seeing it, AMRA-4; for 6 months after supply, AMRA-6) and OH clinicians.',
      tags,
      params: consentIdParam,
      responses: {
        200: { description: 'The report', schema: reportResponse },
        404: { description: 'No report within your reach' },
        410: { description: 'The retention period has ended (AMRA-6)' },
      },
      handler: async (req, res, { params }) => {
        const r = await consent.readReport(requestContext(req), params.id);
        res.json({
          consentId: r.consent.id,
          text: r.text,
          receivedOn: r.receivedOn,
          amended: r.amended,
          withheldGrounds: r.withheldGrounds,
          corrections: r.corrections,
          statement: r.statement,
          retainUntil: r.consent.retainUntil,
        });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/consents/:id/fhir',
      policy: policies.consentsProcess,
      summary:
        'The consent as a FHIR R4 Consent (FHIR-5), restricted-labelled for a protected-identity officer (FHIR-6).',
      tags,
      params: consentIdParam,
      responses: { 200: { description: 'application/fhir+json Consent' }, 404: { description: 'No such consent' } },
      handler: async (req, res, { params }) => {
        const { consent: c, person } = await consent.forExport(requestContext(req), params.id);
        res
          .type('application/fhir+json')
          .send(
            JSON.stringify(
              consentToFhir(c, { reference: `Patient/${person.id}` }, { restricted: person.protectedIdentity }),
            ),
          );
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/consents/check',
      policy: policies.consentsCheck,
      summary:
        'The gate’s decision for a proposed disclosure: allow with the consents that allow it, or deny with a reason code. Audited.',
      tags,
      body: checkSchema,
      responses: {
        200: { description: 'The decision', schema: gateDecisionResponse },
        404: { description: 'No such person' },
      },
      handler: async (req, res, { body }) => {
        const asOf = body.asOf ?? londonDay(deps.clock.now());
        res.json(
          await consent.check(
            requestContext(req),
            body.personId,
            {
              recipient: body.recipient,
              purpose: body.purpose,
              dataCategories: body.dataCategories,
              consentId: body.consentId ?? null,
            },
            asOf,
          ),
        );
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/oh-reports',
      policy: policies.ohReportsReceived,
      summary:
        'Reports addressed to you (line manager or HR) about someone in your reach: a released report in full; otherwise only that no report is available (AMRA-8, CONF-1).',
      tags,
      params: personIdParam,
      responses: {
        200: { description: 'Reports', schema: recipientReportsResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params }) => {
        res.json({ items: await consent.reportsForRecipient(requestContext(req), params.personId) });
      },
    }),
  ];
}
