import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../web/app-dependencies.js';
import { policies } from '../auth/access-policy.js';
import { ValidationError } from '../shared/errors.js';
import { londonDay, longDate, type IsoDate } from '../shared/dates.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { notify, type Notice } from '../web/notice.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { personMayReadReport } from './consent-rules.js';
import type { ConsentRecord, ReportView } from './consent-service.js';
import type { Consent } from './consent-types.js';
import { releaseMessage, releaseWords } from './release-message.js';

const idParam = z.object({ id: z.uuid() });
const personParam = z.object({ personId: z.uuid() });
const letterQuery = z.object({ which: z.enum(['notice', 'application', 'review']).default('notice') });
const isReport = (c: Consent) => c.kind !== 'nhs-sharing';
const WITHDRAWABLE = new Set(['given', 'applied', 'report-received']);
const text = (max: number) =>
  z
    .string({ message: 'consents.errors.text' })
    .trim()
    .min(1, 'consents.errors.text')
    .max(max, 'consents.errors.tooLong');

/** The release message (release-message.ts) in the reader's words, or null when there is none. */
function releaseText(req: Request, c: Consent, earliest: IsoDate | null, today: IsoDate): string | null {
  const m = releaseMessage(c, earliest, today);
  if (!m) return null;
  const locale = req.locale === 'cy' ? 'cy' : 'en';
  const { key, values } = releaseWords(m, (iso) => longDate(iso, locale));
  return req.t(key, values);
}

/** A consent for the person's pages: what it is, who it is for, what it covers, and what they can do now (plain English, §5). */
function consentView(req: Request, r: ConsentRecord, today: IsoDate) {
  const c = r.consent;
  const recipient =
    c.recipient.type === 'employer' ? req.t(`consents.recipients.${c.recipient.role}`) : c.recipient.name;
  const waitingForReview = c.status === 'report-received' && c.wishesToSeeReport === true && c.supplyAgreedOn === null;
  // A sharing consent past its period is over, whatever its status says (§5c).
  const expired = c.kind === 'nhs-sharing' && c.status === 'given' && c.periodEnd !== null && c.periodEnd < today;
  const status = expired ? 'expired' : c.status;
  return {
    id: c.id,
    kind: c.kind,
    kindName: req.t(`consents.kinds.${c.kind}`),
    description: c.description,
    recipient,
    status,
    statusName: req.t(`consents.statuses.${status}`),
    statusTag:
      status === 'requested' || waitingForReview
        ? 'nhsuk-tag--blue'
        : status === 'given' || status === 'applied' || status === 'supplied'
          ? 'nhsuk-tag--green'
          : status === 'report-received'
            ? 'nhsuk-tag--yellow'
            : 'nhsuk-tag--grey',
    isReport: isReport(c),
    isSharing: c.kind === 'nhs-sharing',
    isAmra: c.kind === 'amra-report',
    doctor: c.doctor,
    categories: c.kind === 'nhs-sharing' ? c.dataCategories.map((d) => req.t(`consents.categories.${d}`)) : [],
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    notifiedOn: c.notifiedOn,
    decidedOn: c.decision?.on ?? null,
    wishesToSeeReport: c.wishesToSeeReport,
    applicationDate: c.applicationDate,
    earliestReleaseDate: r.earliestReleaseDate,
    waitingForReview,
    // When the report may go, said once, in one place (AMRA-4, §5b; issue 15 §5).
    release: releaseText(req, c, r.earliestReleaseDate, today),
    suppliedOn: c.suppliedOn,
    retainUntil: c.retainUntil,
    mayDecide: c.status === 'requested',
    mayAskToSee:
      isReport(c) &&
      !c.wishesToSeeReport &&
      (c.status === 'given' || c.status === 'applied' || c.status === 'report-received'),
    mayReadReport: personMayReadReport(c, today),
    mayWithdraw: WITHDRAWABLE.has(c.status) && !expired,
    withdrawal: c.withdrawal,
    history: r.history.map((e) => ({ at: e.at, text: req.t(`consents.events.${e.type}`, { defaultValue: e.type }) })),
  };
}

/**
 * Consent pages (issue 5 §3, §4): the person's own consents, with what they can do now (give,
 * refuse, ask to see a report, withdraw), the reports waiting for their review with the date they
 * would otherwise go, corrections, statements and their decision on supply; the printable
 * notice; and, for a manager or HR, the reports addressed to them (AMRA-8, CONF-1).
 */
export function consentPages(deps: AppDependencies): RouteDefinition[] {
  const { consent } = deps.services;
  const today = () => londonDay(deps.clock.now());

  const showLocals = async (req: Request, id: string) => {
    const record = await consent.get(requestContext(req), id, 'own');
    const view = consentView(req, record, today());
    return {
      title: view.kindName,
      consent: view,
      decisionItems: [
        { value: 'given', text: req.t('consents.show.give') },
        { value: 'refused', text: req.t('consents.show.refuse') },
      ],
      wishItems: [
        { value: 'yes', text: req.t('consents.show.wishYes') },
        { value: 'no', text: req.t('consents.show.wishNo') },
      ],
    };
  };

  const reportLocals = async (req: Request, id: string) => {
    const ctx = requestContext(req);
    const report: ReportView = await consent.readReport(ctx, id, 'own');
    const record = await consent.get(ctx, id, 'own');
    const c = record.consent;
    const open = c.status === 'report-received';
    return {
      title: req.t('consents.report.title'),
      consent: consentView(req, record, today()),
      report: {
        ...report,
        withheldGrounds: report.withheldGrounds.map((g) => req.t(`consents.withheld.${g}`)),
        corrections: report.corrections.map((r) => ({
          ...r,
          responseName: r.response
            ? req.t(`consents.report.responses.${r.response}`)
            : req.t('consents.report.responses.waiting'),
        })),
      },
      mayCorrect: open,
      mayAttachStatement:
        open && !c.statement && (c.kind !== 'amra-report' || c.corrections.some((r) => r.response === 'declined')),
      mayDecideSupply: open,
      supplyItems: [
        { value: 'agree', text: req.t('consents.report.agree') },
        { value: 'refuse', text: req.t('consents.report.refuse') },
      ],
    };
  };

  /** One of the person's actions on a consent, posted from its page, coming back to it (or its report). */
  const action = <S extends z.ZodType>(
    path: string,
    summary: string,
    view: 'consent/show' | 'consent/report',
    schema: S,
    fallbackField: string,
    act: (req: Request, id: string, data: z.infer<S>) => Promise<unknown>,
    next: (id: string) => string,
    notice: (data: z.infer<S>) => Notice,
  ): RouteDefinition => ({
    method: 'post',
    path,
    kind: 'page',
    policy: policies.selfService,
    summary,
    handler: async (req: Request, res: Response) => {
      const { id } = parseInput(idParam, req.params);
      const values = req.body as Record<string, unknown>;
      const fields = Object.keys((schema as unknown as z.ZodObject).shape ?? {});
      await submitForm(
        req,
        res,
        {
          view,
          schema,
          input: values,
          values,
          locals: () => (view === 'consent/show' ? showLocals(req, id) : reportLocals(req, id)),
          fields,
          fallbackField,
        },
        async (data) => {
          await act(req, id, data);
          notify(req, notice(data));
          res.redirect(303, next(id));
        },
      );
    },
  });

  const decisionForm = z.object({
    decision: z.enum(['given', 'refused'], { message: 'consents.errors.decision' }),
    wishesToSeeReport: z.enum(['yes', 'no']).optional(),
  });

  return [
    {
      method: 'get',
      path: '/me/consents',
      kind: 'page',
      policy: policies.selfService,
      summary:
        'Your consents: what each covers, its status, and reports waiting for your review with the day they would otherwise be released.',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const list = ctx.actor.personId ? await consent.forPerson(ctx, ctx.actor.personId) : [];
        const views = list.map((r) => consentView(req, r, today()));
        renderPage(req, res, 'consent/mine', {
          title: req.t('consents.mine.title'),
          noRecord: !ctx.actor.personId,
          waiting: views.filter((v) => v.waitingForReview || v.mayDecide),
          others: views.filter((v) => !(v.waitingForReview || v.mayDecide)),
        });
      },
    },
    {
      method: 'get',
      path: '/me/consents/:id',
      kind: 'page',
      policy: policies.selfService,
      summary: 'One of your consents: what it covers, what has happened, and what you can do now.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'consent/show', { ...(await showLocals(req, id)), values: {} });
      },
    },
    action(
      '/me/consents/:id/decision',
      'Give or refuse consent; for a report, say whether you want to see it first (AMRA-3).',
      'consent/show',
      decisionForm,
      'decision',
      async (req, id, data) => {
        const record = await consent.get(requestContext(req), id, 'own');
        const wishes =
          isReport(record.consent) && data.decision === 'given'
            ? data.wishesToSeeReport === 'yes'
              ? true
              : data.wishesToSeeReport === 'no'
                ? false
                : null
            : null;
        if (isReport(record.consent) && data.decision === 'given' && wishes === null) {
          throw new ValidationError({ wishesToSeeReport: 'consents.errors.wishes' });
        }
        await consent.decide(requestContext(req), id, {
          decision: data.decision,
          method: 'platform',
          witness: null,
          documentReference: null,
          wishesToSeeReport: wishes,
        });
      },
      (id) => `/me/consents/${id}`,
      (data) =>
        data.decision === 'given'
          ? { heading: 'notices.consent.given', next: 'notices.consent.givenNext' }
          : { heading: 'notices.consent.refused', next: 'notices.consent.refusedNext' },
    ),
    action(
      '/me/consents/:id/access-request',
      'Ask to see the report before it is supplied (AMRA-4).',
      'consent/show',
      z.object({}),
      'decision',
      (req, id) => consent.requestAccess(requestContext(req), id),
      (id) => `/me/consents/${id}`,
      () => ({ heading: 'notices.consent.accessRequested', next: 'notices.consent.accessRequestedNext' }),
    ),
    action(
      '/me/consents/:id/withdraw',
      'Withdraw your consent, at once (§5c).',
      'consent/show',
      z.object({}),
      'decision',
      (req, id) => consent.withdraw(requestContext(req), id),
      (id) => `/me/consents/${id}`,
      () => ({ heading: 'notices.consent.withdrawn', next: 'notices.consent.withdrawnNext' }),
    ),
    {
      method: 'get',
      path: '/me/consents/:id/report',
      kind: 'page',
      policy: policies.selfService,
      summary:
        'Read the report (reading it is seeing it, AMRA-4), with what travels with it; ask for corrections, add a statement, agree to or refuse its release.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'consent/report', { ...(await reportLocals(req, id)), values: {} });
      },
    },
    action(
      '/me/consents/:id/corrections',
      'Ask for a correction to the report (AMRA-5, §5b).',
      'consent/report',
      z.object({ correction: text(4000) }),
      'correction',
      (req, id, data) => consent.requestCorrection(requestContext(req), id, data.correction),
      (id) => `/me/consents/${id}/report`,
      () => ({ heading: 'notices.consent.correctionRequested', next: 'notices.consent.correctionRequestedNext' }),
    ),
    action(
      '/me/consents/:id/statement',
      'Attach your statement to the report (AMRA-5).',
      'consent/report',
      z.object({ statement: text(4000) }),
      'statement',
      (req, id, data) => consent.attachStatement(requestContext(req), id, data.statement),
      (id) => `/me/consents/${id}/report`,
      () => ({ heading: 'notices.consent.statementAttached', next: 'notices.consent.statementAttachedNext' }),
    ),
    action(
      '/me/consents/:id/supply-decision',
      'Agree to the report’s release, or refuse it for good (AMRA-5, AMRA-8).',
      'consent/report',
      z.object({ supply: z.enum(['agree', 'refuse'], { message: 'consents.errors.supply' }) }),
      'supply',
      (req, id, data) => consent.decideSupply(requestContext(req), id, data.supply === 'agree'),
      (id) => `/me/consents/${id}`,
      (data) =>
        data.supply === 'agree'
          ? { heading: 'notices.consent.supplyAgreed', next: 'notices.consent.supplyAgreedNext' }
          : { heading: 'notices.consent.supplyRefused', next: 'notices.consent.supplyRefusedNext' },
    ),
    {
      method: 'get',
      path: '/consents/:id/letter',
      kind: 'page',
      policy: policies.consentsRead,
      summary:
        'A consent’s letters, to print: the notice (AMRA-1, AMRA-2, §5b, §5c), `?which=application` (AMRA-3) or `?which=review` (§5b).',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const { which } = parseInput(letterQuery, req.query ?? {});
        const locale = req.locale === 'cy' ? 'cy' : 'en';
        const letter = await consent.letter(requestContext(req), id, which, {
          t: req.t,
          date: (iso) => longDate(iso, locale),
        });
        res.render('consent/letter', { layout: 'letter', t: req.t, locale: req.locale, title: letter.title, letter });
      },
    },
    {
      method: 'get',
      path: '/people/:personId/oh-reports',
      kind: 'page',
      policy: policies.ohReportsReceived,
      summary:
        'Reports addressed to you about someone in your team or organisation: a released report, or only that none is available (AMRA-8, CONF-1).',
      handler: async (req, res) => {
        const { personId } = parseInput(personParam, req.params);
        const ctx = requestContext(req);
        const reports = await consent.reportsForRecipient(ctx, personId);
        const names = await deps.services.people.namesOf([personId]);
        renderPage(req, res, 'consent/recipient-reports', {
          title: req.t('consents.recipient.title'),
          personId,
          personName: names.get(personId),
          reports: reports.map((r) => ({
            ...r,
            kindName: r.kind ? req.t(`consents.kinds.${r.kind}`) : null,
            // The service's notice is the API's English; the page says the same in its reader's language.
            notice:
              r.notice === null
                ? null
                : req.t(/facts available/.test(r.notice) ? 'consents.recipient.noReport' : 'consents.recipient.notYet'),
          })),
        });
      },
    },
  ];
}
