import type { Request } from 'express';
import { policies } from '../auth/access-policy.js';
import { NotFoundError } from '../shared/errors.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { responseRate, responseRateBand } from './scoring.js';
import {
  actionResponse,
  actionSchema,
  answersSchema,
  campaignResponse,
  idParam,
  launchSchema,
  questionnaireIdParam,
  questionnaireSummary,
  responseState,
  resultsQuery,
  resultsResponse,
  reviewSchema,
  startSchema,
  submitSchema,
} from './survey-schemas.js';
import type { CampaignSummary, OpenResponse, ResponseHandle } from './survey-service.js';
import type { SurveyAction } from './survey-types.js';

/** The header that carries a respondent's secret: the invitation token they started with. */
export const RESPONSE_KEY_HEADER = 'x-response-key';

/** A campaign as the API gives it. */
export function campaignJson(c: CampaignSummary) {
  return {
    id: c.id,
    organisationId: c.organisationId,
    questionnaireId: c.questionnaireId,
    questionnaireVersion: c.questionnaireVersion,
    title: c.title,
    mode: c.mode,
    population: { kind: c.populationKind, ref: c.populationRef },
    breakdown: c.breakdown,
    groups: c.groups,
    opensOn: c.opensOn,
    closesOn: c.closesOn,
    status: c.status,
    invited: c.invitedCount,
    responses: c.responses,
    responseRate: c.responseRate,
    responseRateBand: responseRateBand(responseRate(c.responses, c.invitedCount) ?? 0),
    previousCampaignId: c.previousCampaignId,
  };
}

function stateJson(r: OpenResponse, responseKey?: string) {
  return {
    id: r.id,
    ...(responseKey ? { responseKey } : {}),
    campaignId: r.campaign.id,
    questionnaire: { id: r.questionnaire.id, version: r.questionnaire.version },
    answers: r.answers,
    nextPage: r.nextPage,
    pages: r.questionnaire.pages.length,
  };
}

function actionJson(a: SurveyAction) {
  return {
    id: a.id,
    campaignId: a.campaignId,
    groupKey: a.groupKey,
    topic: a.topic,
    description: a.description,
    ownerPersonId: a.ownerPersonId,
    dueOn: a.dueOn,
    status: a.status,
  };
}

function handleOf(req: Request, id: string): ResponseHandle {
  const secret = req.get(RESPONSE_KEY_HEADER);
  // Without the key there is nothing to open: the same answer as a wrong key, so nothing leaks.
  if (!secret || secret.length > 200) throw new NotFoundError('response');
  return { id, secret };
}

/**
 * Needs-assessment surveys over the API (issue 17 §9). Respondents are not signed in: they hold an invitation
 * token, which is also the key (`X-Response-Key`) to their answers in progress (NA-2).
 */
export function surveyRoutes(deps: AppDependencies): RouteDefinition[] {
  const { surveys } = deps.services;
  const tags = ['surveys'];
  const respond = '404 when the response does not exist or the X-Response-Key header is not its key.';
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/questionnaires',
      policy: policies.questionnairesRead,
      summary:
        'The published survey questionnaires: the needs assessment, the HSE Indicator Tool and the psychological risk assessment.',
      tags,
      responses: { 200: { description: 'Each questionnaire', schema: questionnaireSummary.array() } },
      handler: (_req, res) => {
        res.json(
          surveys.questionnaires().map((q) => ({
            id: q.id,
            url: q.url,
            version: q.version,
            title: q.title,
            modes: q.modes,
            pages: q.pages.length,
          })),
        );
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/questionnaires/:id',
      policy: policies.questionnairesRead,
      summary: 'One questionnaire as a FHIR R4 Questionnaire resource.',
      tags,
      params: questionnaireIdParam,
      responses: {
        200: { description: 'The Questionnaire (application/fhir+json)' },
        404: { description: 'No such questionnaire' },
      },
      handler: (_req, res, { params }) => {
        res.type('application/fhir+json').send(JSON.stringify(surveys.questionnaire(params.id).resource));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/campaigns',
      policy: policies.campaignsManage,
      summary:
        'Launch a questionnaire to a population (an organisation, a unit and the units under it, a line manager’s team, or a workforce role) between two UK days: OH, or a facilitator appointed for the unit. Everyone in it gets an invitation email with a link of their own. Refused (422) when fewer people than the disclosure threshold would be asked.',
      tags,
      body: launchSchema,
      responses: {
        201: { description: 'The campaign', schema: campaignResponse },
        403: { description: 'Not OH, and not a facilitator for this population' },
      },
      handler: async (req, res, { body }) => {
        const c = await surveys.launch(requestContext(req), body);
        res.status(201).location(`/api/v1/campaigns/${c.id}`).json(campaignJson(c));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/campaigns',
      policy: policies.campaignsManage,
      summary: 'The campaigns you reach (OH: all; a facilitator: those they launched or facilitate), newest first.',
      tags,
      responses: { 200: { description: 'Each campaign', schema: campaignResponse.array() } },
      handler: async (req, res) => {
        res.json((await surveys.campaigns(requestContext(req))).map(campaignJson));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/campaigns/:id',
      policy: policies.campaignsManage,
      summary: 'One campaign with its live response rate and HSE’s band for it.',
      tags,
      params: idParam,
      responses: {
        200: { description: 'The campaign', schema: campaignResponse },
        404: { description: 'Not within reach' },
      },
      handler: async (req, res, { params }) => {
        res.json(campaignJson(await surveys.campaign(requestContext(req), params.id)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/campaigns/:id/results',
      policy: policies.campaignsManage,
      summary:
        'The campaign’s results with small-number suppression (CONF-5): every figure has value, n and suppressed; a figure from fewer people than the threshold has value null. `group` shows one reporting group, refused (409) when it or everyone outside it is too few.',
      tags,
      params: idParam,
      query: resultsQuery,
      responses: {
        200: { description: 'The suppressed aggregates', schema: resultsResponse },
        404: { description: 'Not within reach' },
        409: { description: 'That group cannot be shown on its own' },
      },
      handler: async (req, res, { params, query }) => {
        const r = await surveys.results(requestContext(req), params.id, query.group);
        res.json({ ...r, campaignId: r.campaignId });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/campaigns/:id/actions',
      policy: policies.campaignsManage,
      summary: 'The team’s action plan (NA-7): this campaign’s actions and the previous campaign’s.',
      tags,
      params: idParam,
      responses: { 200: { description: 'The actions' }, 404: { description: 'Not within reach' } },
      handler: async (req, res, { params }) => {
        const { current, previous } = await surveys.actions(requestContext(req), params.id);
        res.json({ actions: current.map(actionJson), previous: previous.map(actionJson) });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/campaigns/:id/actions',
      policy: policies.campaignsManage,
      summary: 'Record an action from the results (NA-7): it goes on its owner’s worklist, due on the day given.',
      tags,
      params: idParam,
      body: actionSchema,
      responses: {
        201: { description: 'The action', schema: actionResponse },
        404: { description: 'Not within reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.status(201).json(actionJson(await surveys.recordAction(requestContext(req), params.id, body)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/campaigns/:id/responses',
      policy: policies.identifiedResponsesRead,
      summary:
        'A confidential campaign’s answers as a FHIR R4 Bundle of QuestionnaireResponse (OH clinicians; each read audited). Anonymous campaigns have none to give (404).',
      tags,
      params: idParam,
      responses: {
        200: { description: 'A Bundle (application/fhir+json)' },
        404: { description: 'Not a confidential campaign within reach' },
      },
      handler: async (req, res, { params }) => {
        res
          .type('application/fhir+json')
          .send(JSON.stringify(await surveys.fhirBundle(requestContext(req), params.id)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/survey-responses/:id/review',
      policy: policies.identifiedResponsesRead,
      summary:
        'The clinician’s review of confidential answers (NA-8): no further action, a structured interview, or further intervention.',
      tags,
      params: idParam,
      body: reviewSchema,
      responses: { 200: { description: 'Recorded' }, 404: { description: 'Not within reach' } },
      handler: async (req, res, { params, body }) => {
        const r = await surveys.review(requestContext(req), params.id, body);
        res.json({ id: r.id, reviewOutcome: r.reviewOutcome, reviewedAt: r.reviewedAt?.toISOString() ?? null });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/responses',
      policy: policies.surveyRespond,
      summary:
        'Start answering with an invitation token, or resume with it. The token lets one response in; the answer’s responseKey (the token itself) goes in the X-Response-Key header of the calls that follow. 409 invitation-used once the response is submitted, or for a token we never sent.',
      tags,
      body: startSchema,
      responses: {
        201: { description: 'The response in progress', schema: responseState },
        409: { description: 'The invitation has been used, or the survey is not open' },
      },
      handler: async (_req, res, { body }) => {
        const handle = await surveys.startWithToken(body.invitationToken);
        res.status(201).json(stateJson(await surveys.open(handle), handle.secret));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/responses/:id',
      policy: policies.surveyRespond,
      summary: `A response in progress: the answers so far and the first page not yet complete. ${respond}`,
      tags,
      params: idParam,
      responses: { 200: { description: 'The response', schema: responseState }, 404: { description: 'Not found' } },
      handler: async (req, res, { params }) => {
        res.json(stateJson(await surveys.open(handleOf(req, params.id))));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/api/v1/responses/:id/answers',
      policy: policies.surveyRespond,
      summary: `Save answers to any of the questions (partial: none is required until submit). Multi-select answers are arrays of option codes. ${respond}`,
      tags,
      params: idParam,
      body: answersSchema,
      responses: {
        200: { description: 'The response', schema: responseState },
        404: { description: 'Not found' },
        422: { description: 'An answer is not one the question takes' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(stateJson(await surveys.saveAnswers(handleOf(req, params.id), body.answers)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/responses/:id/submit',
      policy: policies.surveyRespond,
      summary: `Submit the response: every required question must be answered (422 names those that are not). Answers in the body (optional, as in PUT …/answers) are saved with the submission, so a client holding them all submits in one call. An anonymous response is kept with its reporting group and UK day only. 409 response-submitted the second time. ${respond}`,
      tags,
      params: idParam,
      body: submitSchema,
      responses: {
        200: { description: 'Submitted' },
        409: { description: 'Already submitted, or the survey has closed' },
        422: { description: 'Questions still to answer' },
      },
      handler: async (req, res, { params, body }) => {
        res.json({ submitted: true, ...(await surveys.submit(handleOf(req, params.id), body?.answers ?? {})) });
      },
    }),
  ];
}
