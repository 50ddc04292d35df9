import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { maySeeOhRecords, policies, roleMayUse } from '../auth/access-policy.js';
import { enumItems, enumLabel } from '../i18n/enum-labels.js';
import { WORKFORCE_ROLES } from '../people/people-schemas.js';
import { labelled } from '../shared/error-messages.js';
import { isIsoDate, type IsoDate } from '../shared/dates.js';
import { isAppError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { AppDependencies, AppServices } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { formText } from '../web/forms.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { notify } from '../web/notice.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { pageLang, populationText, rateText } from './survey-page-words.js';
import { surveyInLanguage, type SurveyAnswer, type SurveyQuestionnaire } from './survey-questionnaire.js';
import { BREAKDOWNS, POPULATION_KINDS, REVIEW_OUTCOMES, SURVEY_MODES } from './survey-types.js';

/*
 * The staff side of needs-assessment surveys (issue 17 §4, §8): the campaigns one reaches, sending a survey,
 * the facilitators OH appoints (seed 002), the published questionnaires, and OH clinicians' review of
 * confidential answers (NA-8). The campaign page with its results and action plan is survey-results-pages.ts.
 */

const idParam = z.object({ id: z.uuid() });
const responseParam = z.object({ responseId: z.uuid() });

const F = (name: string) => `surveys.fields.${name}`;
const issue = (key: string, field: string) => `${key}@${F(field)}`;
const day = (field: string) =>
  labelled(z.string(), F(field))
    .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isIsoDate(v), { message: issue('validation.realDate', field) })
    .transform((v) => v as IsoDate);

/** The launch form as posted: who to ask comes from one of three selects, by the kind chosen. */
const launchForm = z
  .object({
    questionnaireId: labelled(
      z
        .string({ message: issue('validation.select', 'questionnaireId') })
        .min(1)
        .max(60),
      F('questionnaireId'),
    ),
    title: labelled(z.string().trim().min(1).max(200), F('title')),
    mode: labelled(z.enum(SURVEY_MODES), F('mode')),
    populationKind: labelled(z.enum(POPULATION_KINDS), F('populationKind')),
    unitRef: z.string().max(60).optional(),
    teamRef: z.string().max(60).optional(),
    roleRef: z.string().max(60).optional(),
    breakdown: labelled(z.enum(BREAKDOWNS), F('breakdown')),
    opensOn: day('opensOn'),
    closesOn: day('closesOn'),
  })
  .superRefine((d, c) => {
    const need = (field: string) =>
      c.addIssue({ code: 'custom', path: [field], message: issue('validation.select', field) });
    if (d.populationKind === 'unit' && !d.unitRef) need('unitRef');
    if (d.populationKind === 'team' && !d.teamRef) need('teamRef');
    if (d.populationKind === 'role' && !d.roleRef) need('roleRef');
  });
const LAUNCH_FIELDS = Object.keys(launchForm.shape);

const facilitatorForm = z.object({
  userId: labelled(z.uuid(), F('facilitator')),
  unitId: labelled(z.uuid(), F('facilitatorUnit')),
});

const reviewForm = z.object({
  outcome: labelled(z.enum(REVIEW_OUTCOMES), F('outcome')),
  note: labelled(z.string().trim().max(4000), F('note')).optional(),
});

/** Who the Surveys link is for: OH, and anyone appointed to facilitate a unit's surveys (seed 002). */
export function surveysNavigation(services: Pick<AppServices, 'surveys'>): RequestHandler {
  return async (req, _res, next) => {
    try {
      const actor = req.actor;
      if (actor && roleMayUse(policies.campaignsManage, actor.role))
        req.surveysInReach =
          maySeeOhRecords(actor) || (await services.surveys.facilitatedUnits(requestContext(req))).length > 0;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** An answer to a confidential questionnaire's question, in words. */
export function answerText(req: Request, q: SurveyQuestionnaire, linkId: string, value: SurveyAnswer): string {
  const item = q.pages.flatMap((p) => p.items).find((i) => i.linkId === linkId);
  const option = (code: string) => item?.options.find((o) => o.code === code)?.display ?? code;
  if (Array.isArray(value)) return value.map(option).join(', ');
  if (typeof value === 'boolean') return enumLabel(req.t, 'yesNo', value ? 'true' : 'false');
  if (item?.type === 'choice') return option(String(value));
  return String(value);
}

export function surveyPages(deps: AppDependencies): RouteDefinition[] {
  const { surveys, people, auth } = deps.services;

  const questionnaireItems = (req: Request, list: SurveyQuestionnaire[]) =>
    list.map((q) => {
      const inLang = surveyInLanguage(q, pageLang(req));
      return { value: q.id, text: inLang.title, hint: inLang.description };
    });

  /** The launch form's choices: OH may ask anyone and keep answers confidential; a facilitator only their units. */
  const launchLocals = async (req: Request) => {
    const ctx = requestContext(req);
    const oh = maySeeOhRecords(ctx.actor);
    const facilitated = oh ? [] : await surveys.facilitatedUnits(ctx);
    const units = (await people.listUnits(ctx, ctx.actor.organisationId)).filter(
      (u) => oh || facilitated.includes(u.id),
    );
    const users = oh
      ? (await auth.listUsers({ organisationId: ctx.actor.organisationId, limit: 1000, offset: 0 })).items
      : [];
    const managerIds = oh
      ? users.filter((u) => u.personId && u.roles.includes('line-manager')).map((u) => u.personId!)
      : ctx.actor.personId && ctx.actor.roles.includes('line-manager')
        ? [ctx.actor.personId]
        : [];
    const names = await people.namesOf(managerIds);
    const questionnaires = surveys.questionnaires();
    const kinds = oh
      ? POPULATION_KINDS
      : POPULATION_KINDS.filter((k) => k === 'unit' || (k === 'team' && managerIds.length));
    return {
      title: req.t('surveys.launch.title'),
      questionnaires: questionnaireItems(req, questionnaires),
      modes: enumItems(req.t, 'surveyMode', oh ? SURVEY_MODES : ['anonymous']).map((m) => ({
        ...m,
        hint: req.t(`surveys.launch.modeHints.${m.value}`),
      })),
      confidentialFor: questionnaires
        .filter((q) => q.modes.includes('confidential'))
        .map((q) => surveyInLanguage(q, pageLang(req)).title)
        .join(', '),
      offerMode: oh,
      kinds: enumItems(req.t, 'populationKind', kinds),
      units: units.map((u) => ({ value: u.id, text: u.name })).sort((a, b) => a.text.localeCompare(b.text)),
      managers: managerIds
        .map((id) => ({ value: id, text: names.get(id) ?? '' }))
        .sort((a, b) => a.text.localeCompare(b.text)),
      roles: enumItems(req.t, 'workforceRole', WORKFORCE_ROLES),
      breakdowns: enumItems(req.t, 'breakdown'),
    };
  };

  const facilitatorLocals = async (req: Request) => {
    const ctx = requestContext(req);
    const [list, units, users] = await Promise.all([
      surveys.facilitators(),
      people.listUnits(ctx, ctx.actor.organisationId),
      auth.listUsers({ organisationId: ctx.actor.organisationId, limit: 1000, offset: 0 }),
    ]);
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    const userName = new Map(users.items.map((u) => [u.id, u.displayName]));
    return {
      title: req.t('surveys.facilitators.title'),
      facilitators: list
        .filter((f) => unitName.has(f.unitId))
        .map((f) => ({
          userId: f.userId,
          unitId: f.unitId,
          user: userName.get(f.userId) ?? req.t('surveys.facilitators.unknownUser'),
          unit: unitName.get(f.unitId),
          appointedAt: f.appointedAt.toISOString(),
        })),
      users: users.items
        .filter((u) => !u.disabledAt && !u.roles.includes('system-administrator'))
        .map((u) => ({ value: u.id, text: `${u.displayName} (${u.email})` })),
      units: units.map((u) => ({ value: u.id, text: u.name })).sort((a, b) => a.text.localeCompare(b.text)),
    };
  };

  const reviewLocals = async (req: Request, responseId: string) => {
    const ctx = requestContext(req);
    const { response, campaign } = await surveys.identifiedResponse(ctx, responseId);
    const q = surveyInLanguage(surveys.questionnaireOf(campaign), pageLang(req));
    const names = await people.namesOf([response.personId]);
    const answers = response.answers as Record<string, SurveyAnswer>;
    return {
      title: req.t('surveys.review.title', { name: names.get(response.personId) ?? '' }),
      campaign,
      response,
      personName: names.get(response.personId) ?? '',
      pages: q.pages
        .map((p) => ({
          title: p.title,
          answers: p.items
            .filter((i) => i.type !== 'display' && i.linkId in answers)
            .map((i) => ({ question: i.text, answer: answerText(req, q, i.linkId, answers[i.linkId]!) })),
        }))
        .filter((p) => p.answers.length),
      outcomes: enumItems(req.t, 'reviewOutcome'),
    };
  };

  return [
    {
      method: 'get',
      path: '/surveys',
      kind: 'page',
      policy: policies.campaignsManage,
      summary:
        'The survey campaigns you reach, with their dates, response rates and HSE’s band for each; ' +
        'for OH and appointed facilitators, a link to send one.',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const list = await surveys.campaigns(ctx);
        const mayLaunch = maySeeOhRecords(ctx.actor) || (await surveys.facilitatedUnits(ctx)).length > 0;
        renderPage(req, res, 'surveys/list', {
          title: req.t('surveys.list.title'),
          mayLaunch,
          mayAppoint: roleMayUse(policies.surveyFacilitators, ctx.actor.role),
          campaigns: list.map((c) => ({
            id: c.id,
            title: c.title,
            status: c.status,
            opensOn: c.opensOn,
            closesOn: c.closesOn,
            invited: c.invitedCount,
            responses: c.responses,
            rate: rateText(req, c),
          })),
        });
      },
    },
    {
      method: 'get',
      path: '/surveys/new',
      kind: 'page',
      policy: policies.campaignsManage,
      summary: 'The form to send a survey: the questionnaire, how answers are kept, who to ask, and when.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const today = deps.clock.today();
        renderPage(req, res, 'surveys/new', {
          ...(await launchLocals(req)),
          values: { mode: 'anonymous', populationKind: '', breakdown: 'unit', opensOn: today },
        });
      },
    },
    {
      method: 'post',
      path: '/surveys/new',
      kind: 'page',
      policy: policies.campaignsManage,
      summary: 'Sends a survey: everyone asked gets an invitation email with a link of their own.',
      handler: async (req, res) => {
        const body = req.body as Record<string, unknown>;
        const input = Object.fromEntries(LAUNCH_FIELDS.map((f) => [f, formText(body, f)]));
        await submitForm(
          req,
          res,
          {
            view: 'surveys/new',
            schema: launchForm,
            input,
            values: body,
            locals: () => launchLocals(req),
            fields: LAUNCH_FIELDS,
            fallbackField: 'questionnaireId',
            rename: { population: 'populationKind', organisationId: 'populationKind' },
            conflictFields: { 'campaign-not-permitted': 'populationKind' },
          },
          async (d) => {
            const ctx = requestContext(req);
            const ref =
              d.populationKind === 'organisation'
                ? ctx.actor.organisationId
                : d.populationKind === 'unit'
                  ? d.unitRef!
                  : d.populationKind === 'team'
                    ? d.teamRef!
                    : d.roleRef!;
            const c = await surveys
              .launch(ctx, {
                questionnaireId: d.questionnaireId,
                title: d.title,
                mode: d.mode,
                population: { kind: d.populationKind, ref },
                breakdown: d.breakdown,
                opensOn: d.opensOn,
                closesOn: d.closesOn,
              })
              .catch((error: unknown) => {
                // Not permitted to ask these people: said beside who to ask, not as a crash.
                if (isAppError(error) && error.code === 'campaign-not-permitted')
                  throw new ValidationError({ populationKind: 'surveys.launch.notPermitted' });
                throw error;
              });
            notify(req, {
              heading: 'notices.surveySent',
              next: 'notices.surveySentNext',
              values: { count: c.invitedCount },
            });
            res.redirect(303, `/surveys/${c.id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/surveys/facilitators',
      kind: 'page',
      policy: policies.surveyFacilitators,
      summary: 'Team survey facilitators: who may send and read surveys for which unit; appoint and remove them.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'surveys/facilitators', { ...(await facilitatorLocals(req)), values: {} });
      },
    },
    {
      method: 'post',
      path: '/surveys/facilitators',
      kind: 'page',
      policy: policies.surveyFacilitators,
      summary: 'Appoints a facilitator for a unit.',
      handler: async (req, res) => {
        const body = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'surveys/facilitators',
            schema: facilitatorForm,
            input: { userId: formText(body, 'userId'), unitId: formText(body, 'unitId') },
            values: body,
            locals: () => facilitatorLocals(req),
            fields: ['userId', 'unitId'],
            fallbackField: 'userId',
          },
          async (d) => {
            await surveys.appointFacilitator(requestContext(req), d.userId, d.unitId);
            notify(req, { heading: 'notices.facilitatorAppointed' });
            res.redirect(303, '/surveys/facilitators');
          },
        );
      },
    },
    {
      method: 'post',
      path: '/surveys/facilitators/remove',
      kind: 'page',
      policy: policies.surveyFacilitators,
      summary: 'Removes a facilitator from a unit.',
      handler: async (req, res) => {
        const d = parseInput(facilitatorForm, {
          userId: formText(req.body as Record<string, unknown>, 'userId'),
          unitId: formText(req.body as Record<string, unknown>, 'unitId'),
        });
        await surveys.removeFacilitator(requestContext(req), d.userId, d.unitId);
        notify(req, { heading: 'notices.facilitatorRemoved' });
        res.redirect(303, '/surveys/facilitators');
      },
    },
    {
      method: 'get',
      path: '/admin/questionnaires',
      kind: 'page',
      policy: policies.questionnairesRead,
      summary: 'The published survey questionnaires, each downloadable as a FHIR R4 Questionnaire.',
      handler: async (req, res) => {
        renderPage(req, res, 'surveys/questionnaires', {
          title: req.t('surveys.questionnaires.title'),
          questionnaires: surveys.questionnaires().map((q) => ({
            id: q.id,
            title: surveyInLanguage(q, pageLang(req)).title,
            version: q.version,
            pages: q.pages.length,
            modes: q.modes.map((m) => enumLabel(req.t, 'surveyMode', m)).join(', '),
            href: `/admin/questionnaires/${q.id}/export`,
          })),
        });
      },
    },
    {
      method: 'get',
      path: '/admin/questionnaires/:id/export',
      kind: 'page',
      policy: policies.questionnairesRead,
      summary: 'Downloads a survey questionnaire as a FHIR R4 Questionnaire file.',
      handler: (req, res) => {
        const { id } = parseInput(z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/) }), req.params);
        const q = surveys.questionnaire(id);
        res
          .attachment(`${q.id}-v${q.version.replace(/[^0-9A-Za-z.]/g, '')}.json`)
          .type('application/fhir+json')
          .send(JSON.stringify(q.resource, null, 2));
      },
    },
    {
      method: 'get',
      path: '/surveys/:id/responses',
      kind: 'page',
      policy: policies.identifiedResponsesRead,
      summary: 'Who answered a confidential survey, with each review’s outcome (OH clinicians; every read audited).',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const ctx = requestContext(req);
        const campaign = await surveys.campaign(ctx, id);
        const list = await surveys.identifiedResponses(ctx, id);
        const names = await people.namesOf([...new Set(list.map((r) => r.personId))]);
        renderPage(req, res, 'surveys/responses', {
          title: req.t('surveys.responses.title', { title: campaign.title }),
          campaign,
          population: await populationText(req, deps.services, campaign),
          responses: list
            .map((r) => ({
              id: r.id,
              name: names.get(r.personId) ?? '',
              submittedAt: r.submittedAt.toISOString(),
              outcome: r.reviewOutcome,
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
        });
      },
    },
    {
      method: 'get',
      path: '/surveys/:id/responses.json',
      kind: 'page',
      policy: policies.identifiedResponsesRead,
      summary: 'Downloads a confidential survey’s answers as a FHIR R4 Bundle of QuestionnaireResponses.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const bundle = await surveys.fhirBundle(requestContext(req), id);
        res
          .attachment(`survey-${id}-responses.json`)
          .type('application/fhir+json')
          .send(JSON.stringify(bundle, null, 2));
      },
    },
    {
      method: 'get',
      path: '/surveys/responses/:responseId',
      kind: 'page',
      policy: policies.identifiedResponsesRead,
      summary: 'One person’s confidential answers in words, and the clinician’s review of them.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { responseId } = parseInput(responseParam, req.params);
        const locals = await reviewLocals(req, responseId);
        renderPage(req, res, 'surveys/response', {
          ...locals,
          values: { outcome: locals.response.reviewOutcome ?? '', note: locals.response.reviewNote ?? '' },
        });
      },
    },
    {
      method: 'post',
      path: '/surveys/responses/:responseId',
      kind: 'page',
      policy: policies.identifiedResponsesRead,
      summary: 'Records the clinician’s review: no further action, a structured interview, or further intervention.',
      handler: async (req, res) => {
        const { responseId } = parseInput(responseParam, req.params);
        const body = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'surveys/response',
            schema: reviewForm,
            input: { outcome: formText(body, 'outcome'), note: formText(body, 'note') },
            values: body,
            locals: () => reviewLocals(req, responseId),
          },
          async (d) => {
            const r = await surveys.review(requestContext(req), responseId, d);
            notify(req, { heading: 'notices.surveyReviewed' });
            res.redirect(303, `/surveys/${r.campaignId}/responses`);
          },
        );
      },
    },
  ];
}
