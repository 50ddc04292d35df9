import type { Request, Response } from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import { addDays, longDate, startOfLondonDay, type IsoDate } from '../shared/dates.js';
import { isAppError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken, parseCookie } from '../web/middleware.js';
import { inReadersWords, renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import type { ResponseHandle } from './survey-service.js';
import {
  surveyInLanguage,
  type SurveyAnswers,
  type SurveyItem,
  type SurveyPage,
  type SurveyQuestionnaire,
} from './survey-questionnaire.js';
import type { Campaign } from './survey-types.js';

/**
 * The respondent's side of a survey (issue 17 §2, NA-2): an officer answering on a phone. The invitation link
 * (`/survey?t=…`) or the home page leads to a statement of who sees the answers; starting gives the browser a
 * cookie holding the response's id and the secret that opens it — never the session, never a log line (the
 * request logger writes route patterns only, and the token travels in the query string or a form field). One
 * page per question group, with progress, "save and finish later", a check page, and a thank-you page.
 */

/** The cookie with the response's id and secret (path /survey: sent only to these pages). */
export const SURVEY_COOKIE = 'blp.survey';
/** A marker, holding nothing secret, that lets the home page offer "Continue your survey". */
export const SURVEY_OPEN_COOKIE = 'blp.survey-open';

const tokenQuery = z.object({ t: z.string().min(20).max(200) });
const pageParams = z.object({ id: z.uuid(), n: z.coerce.number().int().min(1).max(100) });
const idParams = z.object({ id: z.uuid() });
const campaignParams = z.object({ campaignId: z.uuid() });

/** Service refusals as plain pages in the reader's language (never the English public message, never a code). */
const PROBLEMS: Record<string, { key: string; status: number }> = {
  'invitation-used': { key: 'used', status: 409 },
  'survey-not-open': { key: 'notOpen', status: 409 },
  'survey-closed': { key: 'closed', status: 409 },
  'response-submitted': { key: 'submitted', status: 409 },
  'not-found': { key: 'notFound', status: 404 },
};

const lang = (req: Request): 'en' | 'cy' => (req.locale === 'cy' ? 'cy' : 'en');

/** The plain page of one message: a heading and sentences, with a way home when signed in. */
function renderMessage(
  req: Request,
  res: Response,
  key: string,
  status = 200,
  extra: { paragraphs?: string[]; campaign?: Campaign } = {},
): void {
  const t = req.t.bind(req);
  const paragraphs: Record<string, string[]> = {
    used: [
      t('surveysAnswer.used.sent'),
      t('surveysAnswer.used.check'),
      t('surveysAnswer.used.home'),
      t('surveysAnswer.used.help'),
    ],
    notFound: [t('surveysAnswer.notFound.link'), t('surveysAnswer.used.home')],
    notOpen: [
      extra.campaign
        ? t('surveysAnswer.notOpen.on', { date: longDate(extra.campaign.opensOn, lang(req)) })
        : t('surveysAnswer.notOpen.later'),
    ],
    closed: [t('surveysAnswer.closed.body')],
    submitted: [t('surveysAnswer.submitted.body')],
    saved: [t('surveysAnswer.saved.before'), t('surveysAnswer.saved.link'), t('surveysAnswer.saved.home')],
  };
  ensureCsrfToken(req);
  renderPage(
    req,
    res,
    'surveys-answer/message',
    {
      title: t(`surveysAnswer.${key}.title`),
      paragraphs: extra.paragraphs ?? paragraphs[key] ?? [],
      signedIn: Boolean(req.actor),
    },
    status,
  );
}

/** Runs a step of answering; a refusal the respondent can act on becomes its plain page. */
async function answering(req: Request, res: Response, step: () => Promise<void>, campaign?: Campaign): Promise<void> {
  try {
    await step();
  } catch (error) {
    const problem = isAppError(error) ? PROBLEMS[error.code] : undefined;
    if (!problem) throw error;
    renderMessage(req, res, problem.key, problem.status, campaign ? { campaign } : {});
  }
}

/** The response handle the browser holds for response `id`; anything else is not found. */
function handleOf(req: Request, id: string): ResponseHandle {
  const raw = parseCookie(req.headers.cookie, SURVEY_COOKIE);
  const dot = raw?.indexOf('.') ?? -1;
  if (!raw || dot < 0 || raw.slice(0, dot) !== id) throw new NotFoundError('response');
  return { id, secret: raw.slice(dot + 1) };
}

/** The handle in the cookie, whatever its id (for "Continue your survey"). */
function anyHandle(req: Request): ResponseHandle | null {
  const raw = parseCookie(req.headers.cookie, SURVEY_COOKIE);
  const dot = raw?.indexOf('.') ?? -1;
  return raw && dot > 0 ? { id: raw.slice(0, dot), secret: raw.slice(dot + 1) } : null;
}

const pagePath = (id: string, n: number) => `/survey/answer/${id}/page/${n}`;
const checkPath = (id: string) => `/survey/answer/${id}/check`;

/** Where to go on from a response: the first page still to answer, or the check page when all are done. */
const resumePath = (id: string, nextPage: number, pages: number) =>
  nextPage >= pages ? checkPath(id) : pagePath(id, nextPage + 1);

/** Whether a question is asked given the answers so far (a disabled question is neither shown as due nor stored). */
function isAsked(item: SurveyItem, answers: SurveyAnswers): boolean {
  if (!item.enableWhen) return true;
  const given = answers[item.enableWhen.question];
  return Array.isArray(given) ? given.includes(String(item.enableWhen.answer)) : given === item.enableWhen.answer;
}

/** The questionnaire's questions (not display texts). */
const questionsOf = (page: SurveyPage) => page.items.filter((i) => i.type !== 'display');

export function surveyAnswerPages(deps: AppDependencies): RouteDefinition[] {
  const surveys = deps.services.surveys;
  const secure = deps.config.session.secureCookies;

  /** Gives the browser the response's handle until the day after the campaign closes. */
  const holdHandle = (res: Response, handle: ResponseHandle, closesOn: IsoDate) => {
    const expires = startOfLondonDay(addDays(closesOn, 1));
    res.cookie(SURVEY_COOKIE, `${handle.id}.${handle.secret}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/survey',
      expires,
    });
    res.cookie(SURVEY_OPEN_COOKIE, '1', { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
  };
  const forgetHandle = (res: Response) => {
    res.clearCookie(SURVEY_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/survey' });
    res.clearCookie(SURVEY_OPEN_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  };

  /** The statement before the first question: who sees the answers and how, how long it takes. */
  const renderStatement = (
    req: Request,
    res: Response,
    found: { campaign: Campaign; questionnaire: SurveyQuestionnaire; resume: boolean },
    form: { action: string; token?: string },
  ) => {
    ensureCsrfToken(req);
    const q = surveyInLanguage(found.questionnaire, req.locale);
    const questions = q.pages.reduce((n, p) => n + questionsOf(p).length, 0);
    const anonymous = found.campaign.mode === 'anonymous';
    renderPage(req, res, 'surveys-answer/statement', {
      title: q.title,
      heading: q.title,
      caption: found.campaign.title === q.title ? null : found.campaign.title,
      description: q.description,
      who: anonymous
        ? [
            req.t('surveysAnswer.statement.anonymous'),
            req.t('surveysAnswer.statement.anonymousGroups', { threshold: found.campaign.threshold }),
          ]
        : [req.t('surveysAnswer.statement.confidential'), req.t('surveysAnswer.statement.confidentialNever')],
      howLong: [
        req.t('surveysAnswer.statement.pages', { count: q.pages.length }),
        // About twenty seconds a question.
        req.t('surveysAnswer.statement.minutes', { count: Math.max(2, Math.ceil(questions / 3)) }),
        req.t('surveysAnswer.statement.saveLater'),
        req.t('surveysAnswer.statement.closes', { date: longDate(found.campaign.closesOn, lang(req)) }),
      ],
      resume: found.resume,
      action: form.action,
      token: form.token,
    });
  };

  /** One question as the page template draws it. */
  const itemView = (
    req: Request,
    item: SurveyItem,
    page: SurveyPage,
    answers: SurveyAnswers,
    errors: Record<string, string>,
    alone: boolean,
  ) => {
    const stored = answers[item.linkId];
    const value =
      typeof stored === 'boolean' ? (stored ? 'yes' : 'no') : Array.isArray(stored) ? stored : (stored ?? '');
    const condition = item.enableWhen && page.items.find((i) => i.linkId === item.enableWhen!.question);
    const conditionAnswer =
      condition &&
      (typeof item.enableWhen!.answer === 'boolean'
        ? req.t(item.enableWhen!.answer ? 'surveysAnswer.page.yes' : 'surveysAnswer.page.no')
        : condition.options.find((o) => o.code === item.enableWhen!.answer)?.display);
    const hint =
      condition && conditionAnswer
        ? req.t('surveysAnswer.page.onlyIf', { answer: conditionAnswer, question: condition.text })
        : null;
    const label =
      item.required || item.type === 'display' ? item.text : `${item.text} ${req.t('surveysAnswer.page.optional')}`;
    const options =
      item.type === 'boolean'
        ? [
            { value: 'yes', text: req.t('surveysAnswer.page.yes') },
            { value: 'no', text: req.t('surveysAnswer.page.no') },
          ]
        : item.options.map((o) => ({ value: o.code, text: o.display }));
    return {
      name: item.linkId,
      label,
      text: item.text,
      hint,
      error: errors[item.linkId],
      alone,
      isDisplay: item.type === 'display',
      isRadios: (item.type === 'choice' && !item.repeats) || item.type === 'boolean',
      isCheckboxes: item.type === 'choice' && item.repeats,
      isText: item.type === 'text',
      isInput: item.type === 'string' || item.type === 'integer',
      inputmode: item.type === 'integer' ? 'numeric' : null,
      inline: item.type === 'boolean',
      options: options.map((o, index) => ({
        ...o,
        id: index === 0 ? item.linkId : `${item.linkId}-${index}`,
        checked: Array.isArray(value) ? value.includes(o.value) : value === o.value,
      })),
      value: Array.isArray(value) ? '' : String(value),
    };
  };

  const renderQuestionPage = (
    req: Request,
    res: Response,
    open: { id: string; campaign: Campaign; questionnaire: SurveyQuestionnaire },
    n: number,
    answers: SurveyAnswers,
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    ensureCsrfToken(req);
    const q = surveyInLanguage(open.questionnaire, req.locale);
    const page = q.pages[n - 1]!;
    const alone = questionsOf(page).length === 1;
    const items = page.items.map((i) => itemView(req, i, page, answers, errors, alone));
    const errorList = Object.entries(errors).map(([field, message]) => ({ field, message, href: `#${field}` }));
    renderPage(
      req,
      res,
      'surveys-answer/page',
      {
        title: `${alone ? questionsOf(page)[0]!.text : page.title} – ${q.title}`,
        heading: page.title,
        alone,
        caption: q.title,
        progress: req.t('surveysAnswer.page.progress', { page: n, total: q.pages.length }),
        backHref: n > 1 ? pagePath(open.id, n - 1) : null,
        englishOnly: req.locale === 'cy' && page.englishOnly,
        items,
        action: pagePath(open.id, n),
        errorList,
      },
      status,
    );
  };

  /** What was answered to one question, in words. */
  const answerText = (req: Request, item: SurveyItem, answer: SurveyAnswers[string] | undefined): string => {
    if (answer === undefined || answer === '') return req.t('surveysAnswer.check.notAnswered');
    if (item.type === 'boolean') return req.t(answer ? 'surveysAnswer.page.yes' : 'surveysAnswer.page.no');
    if (item.type === 'choice') {
      const codes = Array.isArray(answer) ? answer : [String(answer)];
      if (!codes.length) return req.t('surveysAnswer.check.notAnswered');
      return codes.map((c) => item.options.find((o) => o.code === c)?.display ?? c).join('; ');
    }
    return String(answer);
  };

  const renderCheck = (
    req: Request,
    res: Response,
    open: { id: string; campaign: Campaign; questionnaire: SurveyQuestionnaire; answers: SurveyAnswers },
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    ensureCsrfToken(req);
    const q = surveyInLanguage(open.questionnaire, req.locale);
    const pageOf = new Map(q.pages.flatMap((p, i) => p.items.map((item) => [item.linkId, i + 1] as const)));
    const sections = q.pages.map((p, i) => ({
      title: p.title,
      rows: questionsOf(p)
        .filter((item) => isAsked(item, open.answers))
        .map((item) => ({
          question: item.text,
          answer: answerText(req, item, open.answers[item.linkId]),
          href: `${pagePath(open.id, i + 1)}#${item.linkId}`,
          hidden: req.t('surveysAnswer.check.changeHidden', { question: item.text }),
        })),
    }));
    renderPage(
      req,
      res,
      'surveys-answer/check',
      {
        title: req.t('surveysAnswer.check.title'),
        caption: q.title,
        sections,
        backHref: pagePath(open.id, q.pages.length),
        sendText: req.t(
          open.campaign.mode === 'anonymous'
            ? 'surveysAnswer.check.sendAnonymous'
            : 'surveysAnswer.check.sendConfidential',
        ),
        action: checkPath(open.id),
        errorList: Object.entries(errors).map(([field, message]) => ({
          field,
          message,
          href: `${pagePath(open.id, pageOf.get(field) ?? 1)}#${field}`,
        })),
      },
      status,
    );
  };

  /** A question page's posted answers: only the page's own questions (the form's other fields are not answers). */
  const pageInput = (page: SurveyPage, body: Record<string, unknown>) =>
    Object.fromEntries(questionsOf(page).flatMap((i) => (i.linkId in body ? [[i.linkId, body[i.linkId]]] : [])));

  const respond = policies.surveyRespond;

  return [
    {
      method: 'get',
      path: '/survey',
      kind: 'page',
      policy: respond,
      summary:
        'An invitation link: who will see the answers and how, how long the survey takes, and a button to start or carry on (NA-2).',
      handler: async (req, res) => {
        const parsed = tokenQuery.safeParse(req.query);
        const found = parsed.success ? await surveys.lookUpToken(parsed.data.t) : null;
        if (!found) return renderMessage(req, res, 'used', 404);
        renderStatement(
          req,
          res,
          { ...found, resume: found.kind === 'resume' },
          { action: '/survey/start', token: parsed.data!.t },
        );
      },
    },
    {
      method: 'post',
      path: '/survey/start',
      kind: 'page',
      policy: respond,
      summary:
        'Starts answering with an invitation token, or carries on with it; the browser keeps the response’s key.',
      handler: async (req, res) => {
        const parsed = tokenQuery.safeParse(req.body);
        const found = parsed.success ? await surveys.lookUpToken(parsed.data.t) : null;
        if (!found) return renderMessage(req, res, 'used', 404);
        await answering(
          req,
          res,
          async () => {
            const handle = await surveys.startWithToken(parsed.data!.t);
            const open = await surveys.open(handle);
            holdHandle(res, handle, open.campaign.closesOn);
            res.redirect(303, resumePath(open.id, open.nextPage, open.questionnaire.pages.length));
          },
          found.campaign,
        );
      },
    },
    {
      method: 'get',
      path: '/surveys/invitations/:campaignId',
      kind: 'page',
      policy: policies.surveyInvitations,
      summary: 'A survey the signed-in person is invited to: who will see the answers and how, and a button to start.',
      handler: async (req, res) => {
        const { campaignId } = parseInput(campaignParams, req.params);
        const campaign = (await surveys.invitationsFor(requestContext(req))).find((c) => c.id === campaignId);
        if (!campaign) return renderMessage(req, res, 'used', 404);
        renderStatement(
          req,
          res,
          { campaign, questionnaire: surveys.questionnaireOf(campaign), resume: false },
          { action: `/surveys/invitations/${campaign.id}` },
        );
      },
    },
    {
      method: 'post',
      path: '/surveys/invitations/:campaignId',
      kind: 'page',
      policy: policies.surveyInvitations,
      summary: 'Starts a survey from the home page; the browser keeps the response’s key, the invitation is used.',
      handler: async (req, res) => {
        const { campaignId } = parseInput(campaignParams, req.params);
        await answering(req, res, async () => {
          const handle = await surveys.startFromInvitation(requestContext(req), campaignId);
          const open = await surveys.open(handle);
          holdHandle(res, handle, open.campaign.closesOn);
          res.redirect(303, resumePath(open.id, open.nextPage, open.questionnaire.pages.length));
        });
      },
    },
    {
      method: 'get',
      path: '/survey/continue',
      kind: 'page',
      policy: respond,
      summary: 'Carries on with the survey this browser started, at the first page still to answer.',
      handler: async (req, res) => {
        await answering(req, res, async () => {
          const handle = anyHandle(req);
          if (!handle) throw new NotFoundError('response');
          const open = await surveys.open(handle);
          res.redirect(303, resumePath(open.id, open.nextPage, open.questionnaire.pages.length));
        });
      },
    },
    {
      method: 'get',
      path: '/survey/answer/:id/page/:n',
      kind: 'page',
      policy: respond,
      summary: 'One page of a survey: one group of questions, with progress, the answers so far filled in.',
      handler: async (req, res) => {
        const { id, n } = parseInput(pageParams, req.params);
        await answering(req, res, async () => {
          const open = await surveys.open(handleOf(req, id));
          if (n > open.questionnaire.pages.length) throw new NotFoundError('page');
          renderQuestionPage(req, res, open, n, open.answers);
        });
      },
    },
    {
      method: 'post',
      path: '/survey/answer/:id/page/:n',
      kind: 'page',
      policy: respond,
      summary:
        'Saves one page of a survey: Continue checks its required questions and goes on; Save and finish later keeps the answers as they are.',
      handler: async (req, res) => {
        const { id, n } = parseInput(pageParams, req.params);
        await answering(req, res, async () => {
          const handle = handleOf(req, id);
          const open = await surveys.open(handle);
          const page = open.questionnaire.pages[n - 1];
          if (!page) throw new NotFoundError('page');
          const body = req.body as Record<string, unknown>;
          const input = pageInput(page, body);
          const complete = body.action !== 'save';
          try {
            const saved = await surveys.savePage(handle, n - 1, input, complete);
            if (!complete) return res.redirect(303, '/survey/saved');
            res.redirect(303, n >= saved.questionnaire.pages.length ? checkPath(id) : pagePath(id, n + 1));
          } catch (error) {
            if (!isAppError(error) || !error.messages) throw error;
            // What they chose stays chosen beside each problem.
            const shown: SurveyAnswers = { ...open.answers };
            for (const item of questionsOf(page)) {
              const v = input[item.linkId];
              if (v === undefined) delete shown[item.linkId];
              else shown[item.linkId] = (Array.isArray(v) ? v.map(String) : String(v)) as SurveyAnswers[string];
            }
            renderQuestionPage(req, res, open, n, shown, inReadersWords(req, error.messages), 422);
          }
        });
      },
    },
    {
      method: 'get',
      path: '/survey/saved',
      kind: 'page',
      policy: respond,
      summary: 'After "save and finish later": the answers are kept, and how to come back to them.',
      handler: (req, res) => renderMessage(req, res, 'saved'),
    },
    {
      method: 'get',
      path: '/survey/answer/:id/check',
      kind: 'page',
      policy: respond,
      summary: 'Check your answers before sending them: every page’s answers, each with a link to change it.',
      handler: async (req, res) => {
        const { id } = parseInput(idParams, req.params);
        await answering(req, res, async () => renderCheck(req, res, await surveys.open(handleOf(req, id))));
      },
    },
    {
      method: 'post',
      path: '/survey/answer/:id/check',
      kind: 'page',
      policy: respond,
      summary: 'Sends the answers; the browser forgets the response’s key. Unanswered required questions are named.',
      handler: async (req, res) => {
        const { id } = parseInput(idParams, req.params);
        await answering(req, res, async () => {
          const handle = handleOf(req, id);
          const open = await surveys.open(handle);
          try {
            await surveys.submit(handle);
          } catch (error) {
            if (!isAppError(error) || !error.messages) throw error;
            return renderCheck(req, res, open, inReadersWords(req, error.messages), 422);
          }
          forgetHandle(res);
          res.redirect(303, `/survey/done?m=${open.campaign.mode === 'anonymous' ? 'a' : 'c'}`);
        });
      },
    },
    {
      method: 'get',
      path: '/survey/done',
      kind: 'page',
      policy: respond,
      summary: 'Thank you: the answers have been sent, and what happens next.',
      handler: (req, res) => {
        const anonymous = req.query.m !== 'c';
        renderMessage(req, res, 'done', 200, {
          paragraphs: anonymous
            ? [
                req.t('surveysAnswer.done.thanks'),
                req.t('surveysAnswer.done.nextAnonymous'),
                req.t('surveysAnswer.done.cannotShow'),
              ]
            : [req.t('surveysAnswer.done.thanks'), req.t('surveysAnswer.done.nextConfidential')],
        });
      },
    },
  ];
}
