import type { Request } from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { ENROLLABLE } from './pathway-pages.js';
import { formText } from '../web/forms.js';
import { londonDate, optionalDateTime } from '../web/uk-time.js';
import { submitForm } from '../web/render.js';
import { notify } from '../web/notice.js';
import { appointmentView } from '../web/appointment-view.js';
import { appointmentsFor } from '../web/home-service.js';
import { pathwayJson } from './pathway-views.js';
import type { OhReferral } from './pathway-types.js';
import { SELF_REFERRAL_CONCERNS } from './referral-schemas.js';

const idParam = z.object({ id: z.uuid() });

const required = (message: string, max: number, tooLong: string) =>
  z.string({ message }).trim().min(1, message).max(max, tooLong);
const optional = (max: number, tooLong: string) => z.string().trim().max(max, tooLong).optional();

/** The management referral form (seed 003 §14.1): workplace questions, never a diagnosis; the person must have been told. */
const managementForm = z.object({
  reason: required('referrals.management.errors.reason', 2000, 'referrals.management.errors.tooLong'),
  questions: required('referrals.management.errors.questions', 2000, 'referrals.management.errors.tooLong'),
  adjustmentsTried: optional(2000, 'referrals.management.errors.tooLong'),
  currentlyAbsent: z.boolean({ message: 'referrals.management.errors.currentlyAbsent' }),
  personInformed: z.literal(true, { message: 'referrals.management.errors.personInformed' }),
});
const MANAGEMENT_FIELDS = ['reason', 'questions', 'adjustmentsTried', 'currentlyAbsent', 'personInformed'];

/** The self-referral form; its messages are translation keys (a self-service page, in Welsh too). */
const selfForm = z.object({
  concern: z.enum(SELF_REFERRAL_CONCERNS, { message: 'referrals.self.errors.concern' }),
  description: required('referrals.self.errors.description', 4000, 'referrals.self.errors.tooLong'),
  venuePreference: optional(500, 'referrals.self.errors.tooLong'),
  contactPreference: optional(500, 'referrals.self.errors.tooLong'),
});
const SELF_FIELDS = ['concern', 'description', 'venuePreference', 'contactPreference'];

/** Triage: start a pathway (which one, and the dates its timings count from) or decline with a note. */
const triageForm = z
  .object({
    decision: z.enum(['accept', 'decline'], { message: 'referrals.triage.errors.decision' }),
    definition: z.string().optional(),
    incidentAt: optionalDateTime('pathways.errors.dateTime'),
    injuryAt: optionalDateTime('pathways.errors.dateTime'),
    note: z.string().trim().max(2000, 'referrals.triage.errors.tooLong').optional(),
  })
  .superRefine((v, c) => {
    if (v.decision === 'accept' && !(ENROLLABLE as readonly string[]).includes(v.definition ?? ''))
      c.addIssue({ code: 'custom', path: ['definition'], message: 'referrals.triage.errors.definition' });
    if (v.decision === 'decline' && !v.note)
      c.addIssue({ code: 'custom', path: ['note'], message: 'referrals.triage.errors.note' });
  });
const TRIAGE_FIELDS = ['decision', 'definition', 'incidentAt', 'injuryAt', 'note'];

const yesNo = (v: unknown) => (v === 'yes' ? true : v === 'no' ? false : undefined);

/** Referral pages (issue 4 §6): a management referral, a self-referral and the person's copy, and OH triage. */
export function referralPages(deps: AppDependencies): RouteDefinition[] {
  const { referrals, people, pathways } = deps.services;

  /** A referral for the page: what it says, by kind, in the page's language. */
  const referralView = (req: Request, r: OhReferral) => {
    const d = r.details;
    const str = (k: string) => (typeof d[k] === 'string' && d[k] !== '' ? (d[k] as string) : null);
    return {
      id: r.id,
      personId: r.personId,
      source: r.source,
      sourceName: req.t(`referrals.sources.${r.source}`),
      isManagement: r.source === 'management',
      isSelf: r.source === 'self',
      isAutomatic: r.source === 'automatic',
      byHr: r.referrerRole === 'hr-manager',
      referrerRoleName: r.source === 'management' && r.referrerRole ? req.t(`roles.${r.referrerRole}`) : null,
      createdOn: londonDate(r.createdAt),
      createdAt: r.createdAt.toISOString(),
      status: r.status,
      statusName: req.t(`referrals.statuses.${r.status}`),
      statusTag:
        r.status === 'awaiting-triage'
          ? 'nhsuk-tag--blue'
          : r.status === 'accepted'
            ? 'nhsuk-tag--green'
            : 'nhsuk-tag--grey',
      awaiting: r.status === 'awaiting-triage',
      accepted: r.status === 'accepted',
      declined: r.status === 'declined',
      pathwayId: r.pathwayId,
      reason: str('reason'),
      questions: str('questions'),
      adjustmentsTried: str('adjustmentsTried'),
      currentlyAbsent:
        typeof d.currentlyAbsent === 'boolean'
          ? req.t(d.currentlyAbsent ? 'referrals.copy.yes' : 'referrals.copy.no')
          : null,
      // A mental-health self-referral's pages signpost urgent help (issue 15 §8).
      isMentalHealth: r.source === 'self' && str('concern') === 'mental-health',
      concernName: str('concern') ? req.t(`referrals.concerns.${str('concern')}`) : null,
      description: str('description'),
      venuePreference: str('venuePreference'),
      contactPreference: str('contactPreference'),
      absenceReasonName: str('absenceReason') ? req.t(`reasons.${str('absenceReason')}`) : null,
    };
  };

  const managementLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    return {
      title: req.t('referrals.management.title'),
      person: people.viewFor(ctx, await people.getPerson(ctx, personId, 'oh-referral')),
      yesNoItems: [
        { value: 'yes', text: req.t('referrals.copy.yes') },
        { value: 'no', text: req.t('referrals.copy.no') },
      ],
    };
  };

  const selfLocals = async (req: Request) => ({
    title: req.t('referrals.self.title'),
    noRecord: !req.actor?.personId,
    concerns: SELF_REFERRAL_CONCERNS.map((c) => ({ value: c, text: req.t(`referrals.concerns.${c}`) })),
  });

  const triageLocals = async (req: Request, id: string) => {
    const ctx = requestContext(req);
    const referral = await referrals.get(ctx, id);
    const [names, published, current] = await Promise.all([
      people.namesOf([referral.personId]),
      pathways.definitions(),
      pathways.forPerson(ctx, referral.personId),
    ]);
    const titles = new Map(published.map((d) => [d.code, d.title]));
    return {
      title: req.t('referrals.triage.title'),
      referral: referralView(req, referral),
      personName: names.get(referral.personId) ?? '',
      decisions: [
        { value: 'accept', text: req.t('referrals.triage.accept') },
        { value: 'decline', text: req.t('referrals.triage.decline') },
      ],
      definitionItems: ENROLLABLE.filter((c) => titles.has(c)).map((c) => ({ value: c, text: titles.get(c)! })),
      currentPathways: current
        .map((l) => pathwayJson(ctx.actor, l))
        .filter((v) => v.status !== 'closed')
        .map((v) => ({
          id: v.id,
          title: 'kind' in v ? req.t('pathways.support.title') : v.definition.title,
          startedOn: londonDate(v.startedAt),
        })),
    };
  };

  return [
    {
      method: 'get',
      path: '/people/:id/refer',
      kind: 'page',
      policy: policies.referralsManagement,
      summary: 'The form: a management referral to OH for someone in your team or organisation (seed 003 §14.1).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'referrals/management', { ...(await managementLocals(req, id)), values: {} });
      },
    },
    {
      method: 'post',
      path: '/people/:id/refer',
      kind: 'page',
      policy: policies.referralsManagement,
      summary: 'Sends a management referral to OH; the person is emailed and can read a copy.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const input = {
          reason: formText(body, 'reason'),
          questions: formText(body, 'questions'),
          adjustmentsTried: formText(body, 'adjustmentsTried'),
          currentlyAbsent: yesNo(body.currentlyAbsent),
          personInformed: body.personInformed === 'yes',
        };
        await submitForm(
          req,
          res,
          {
            view: 'referrals/management',
            schema: managementForm,
            input,
            values: body,
            fields: MANAGEMENT_FIELDS,
            fallbackField: 'reason',
            locals: () => managementLocals(req, id),
          },
          async (data) => {
            await referrals.referByManagement(requestContext(req), id, {
              ...data,
              adjustmentsTried: data.adjustmentsTried ?? null,
            });
            res.redirect(303, `/people/${id}?referred=1`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/me/referrals',
      kind: 'page',
      policy: policies.selfService,
      summary:
        'Your referrals to OH (self-referrals and management referrals about you), each with its copy (English and Welsh).',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const [list, appointments] = await Promise.all([
          ctx.actor.personId ? referrals.forPerson(ctx, ctx.actor.personId) : [],
          appointmentsFor(deps.services, ctx, deps.clock.now()),
        ]);
        renderPage(req, res, 'referrals/mine', {
          title: req.t('referrals.mine.title'),
          appointments: appointments.map((a) => appointmentView(req, a, deps.config)),
          referrals: list.filter((r) => r.personId === ctx.actor.personId).map((r) => referralView(req, r)),
        });
      },
    },
    {
      method: 'get',
      path: '/me/referrals/new',
      kind: 'page',
      policy: policies.selfService,
      summary: 'The form: refer yourself to OH; what you write is seen by OH only (English and Welsh).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'referrals/self', { ...(await selfLocals(req)), values: {} });
      },
    },
    {
      method: 'post',
      path: '/me/referrals/new',
      kind: 'page',
      policy: policies.selfService,
      summary: 'Sends a self-referral to OH.',
      handler: async (req, res) => {
        const body = req.body as Record<string, unknown>;
        const input = Object.fromEntries(SELF_FIELDS.map((f) => [f, formText(body, f)]));
        await submitForm(
          req,
          res,
          {
            view: 'referrals/self',
            schema: selfForm,
            input,
            values: body,
            fields: SELF_FIELDS,
            fallbackField: 'concern',
            locals: () => selfLocals(req),
          },
          async (data) => {
            const referral = await referrals.referSelf(requestContext(req), {
              ...data,
              venuePreference: data.venuePreference ?? null,
              contactPreference: data.contactPreference ?? null,
            });
            notify(req, { heading: 'referrals.copy.sentTitle', next: 'referrals.self.sentNoticeNext' });
            res.redirect(303, `/me/referrals/${referral.id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/me/referrals/:id',
      kind: 'page',
      policy: policies.selfService,
      summary: 'Your copy of a referral to OH about you, and what happens next (English and Welsh).',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const { id } = parseInput(idParam, req.params);
        const referral = await referrals.get(ctx, id);
        // This page is the person's own copy; a referral they made about someone else is not theirs to see here.
        if (referral.personId !== ctx.actor.personId) throw new NotFoundError('referral');
        renderPage(req, res, 'referrals/copy', {
          title: req.t('referrals.copy.title'),
          referral: referralView(req, referral),
        });
      },
    },
    {
      method: 'get',
      path: '/referrals',
      kind: 'page',
      policy: policies.referralsTriage,
      summary: 'Referrals waiting for OH triage, oldest first.',
      handler: async (req, res) => {
        const list = await referrals.awaitingTriage(requestContext(req));
        const names = await people.namesOf([...new Set(list.map((r) => r.personId))]);
        renderPage(req, res, 'referrals/triage-list', {
          title: req.t('referrals.triage.listTitle'),
          referrals: list.map((r) => ({ ...referralView(req, r), personName: names.get(r.personId) ?? '' })),
        });
      },
    },
    {
      method: 'get',
      path: '/referrals/:id',
      kind: 'page',
      policy: policies.referralsTriage,
      summary: 'A referral into OH and the triage form: start a pathway, or decline with a note.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'referrals/triage', { ...(await triageLocals(req, id)), values: {} });
      },
    },
    {
      method: 'post',
      path: '/referrals/:id',
      kind: 'page',
      policy: policies.referralsTriage,
      summary:
        'Triages a referral: starts the chosen pathway from it (then shows the pathway), or declines it with a note.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const input = Object.fromEntries(TRIAGE_FIELDS.map((f) => [f, formText(body, f)]));
        await submitForm(
          req,
          res,
          {
            view: 'referrals/triage',
            schema: triageForm,
            input,
            values: body,
            fields: TRIAGE_FIELDS,
            fallbackField: 'decision',
            conflictFields: { 'already-on-pathway': 'definition' },
            locals: () => triageLocals(req, id),
          },
          async (data) => {
            const ctx = requestContext(req);
            if (data.decision === 'decline') {
              await referrals.triage(ctx, id, { accept: false, note: data.note! });
              notify(req, { heading: 'notices.referralDeclined', next: 'notices.referralDeclinedNext' });
              return res.redirect(303, '/referrals');
            }
            const facts: Record<string, string> = {};
            if (data.incidentAt) facts.incidentAt = data.incidentAt;
            if (data.injuryAt) facts.injuryAt = data.injuryAt;
            const triaged = await referrals.triage(ctx, id, {
              accept: true,
              definition: data.definition as (typeof ENROLLABLE)[number],
              facts,
              note: data.note ?? null,
            });
            notify(req, { heading: 'notices.referralAccepted', next: 'notices.referralAcceptedNext' });
            res.redirect(303, triaged.pathwayId ? `/pathways/${triaged.pathwayId}` : '/referrals');
          },
        );
      },
    },
  ];
}
