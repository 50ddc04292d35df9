import type { Request, Response } from 'express';
import type { z } from 'zod';
import { policies, roleMayUse, type RoutePolicy } from '../auth/access-policy.js';
import { isAppError, type FieldErrors } from '../shared/errors.js';
import { renderProblem, type FieldMessages } from '../shared/error-messages.js';
import { checkInput, fieldMessages } from '../shared/validation.js';
import { takeNotice } from './notice.js';

/** Renders a page with what every layout needs: the actor, language, CSRF token and navigation. */
export function renderPage(
  req: Request,
  res: Response,
  view: string,
  locals: Record<string, unknown> = {},
  status = 200,
): void {
  res.status(status).render(view, { ...pageLocals(req), ...locals });
}

/** Re-renders a form with 422, keeping the user's values and showing each field's error beside it. */
export function renderFormErrors(
  req: Request,
  res: Response,
  view: string,
  values: unknown,
  errors: FieldMessages,
  locals: Record<string, unknown> = {},
): void {
  const translated = inReadersWords(req, errors);
  const errorList = Object.entries(translated).map(([field, message]) => ({
    field,
    message,
    href: `#${field.replace(/\./g, '-')}`,
  }));
  renderPage(req, res, view, { ...locals, values, errors: translated, errorList }, 422);
}

/**
 * Each field's problem as a sentence in the reader's language (the error map's messages, locale keys;
 * a schema's own sentence as it is). A list's item errors (roles.0) belong to the list's field on a
 * form (one set of checkboxes).
 */
export function inReadersWords(req: Request, errors: FieldMessages): FieldErrors {
  const translated: FieldErrors = {};
  for (const [field, problem] of Object.entries(errors))
    translated[field.replace(/\.\d+$/, '')] ??= renderProblem(req.t, problem);
  return translated;
}

/** Navigation for the signed-in user's role. */
function navigation(req: Request): Array<{ href: string; text: string; current: boolean }> {
  const actor = req.actor;
  if (!actor) return [];
  // Each link is shown to whoever the access policy lets use the page it opens.
  const items: Array<{ href: string; key: string; policy: RoutePolicy; when?: boolean }> = [
    { href: '/', key: 'nav.home', policy: policies.signedIn },
    { href: '/me', key: 'nav.myRecord', policy: policies.selfService },
    { href: '/worklist', key: 'nav.worklist', policy: policies.worklist },
    { href: '/people', key: 'nav.people', policy: policies.peopleSearch },
    { href: '/units', key: 'nav.units', policy: policies.unitsRead },
    { href: '/reports/attendance', key: 'nav.reports', policy: policies.attendanceReports },
    // Surveys: OH, and those appointed to facilitate a unit's surveys (the survey pages' middleware decides).
    { href: '/surveys', key: 'nav.surveys', policy: policies.campaignsManage, when: req.surveysInReach === true },
    // Policies are listed for those who publish them; others read them from the pages that use them.
    { href: '/admin/policies', key: 'nav.policies', policy: policies.policiesWrite },
    { href: '/admin/partners', key: 'nav.partners', policy: policies.partnersRead },
    { href: '/audit', key: 'nav.audit', policy: policies.auditRead },
    { href: '/admin/users', key: 'nav.users', policy: policies.usersAdmin },
    { href: '/account', key: 'nav.account', policy: policies.signedIn },
  ];
  return items
    .filter((i) => roleMayUse(i.policy, actor.role) && i.when !== false)
    .map((i) => ({
      href: i.href,
      text: req.t(i.key),
      current: i.href === '/' ? req.path === '/' : req.path.startsWith(i.href),
    }));
}

export function pageLocals(req: Request): Record<string, unknown> {
  return {
    t: req.t,
    locale: req.locale,
    otherLocale: req.locale === 'cy' ? 'en' : 'cy',
    actor: req.actor,
    csrfToken: req.session?.csrfToken,
    navigation: navigation(req),
    currentPath: req.originalUrl,
    notice: takeNotice(req),
    roleName: req.actor ? req.t(`roles.${req.actor.role}`) : undefined,
    otherRoles:
      req.actor && req.actor.roles.length > 1
        ? req.actor.roles.filter((r) => r !== req.actor!.role).map((r) => ({ slug: r, name: req.t(`roles.${r}`) }))
        : [],
  };
}

/**
 * The one shape of a form post: validate with `schema`; on bad input, or when the use case
 * refuses it (an AppError with `fields`, or a conflict), re-render `view` with 422 keeping the
 * user's values and each error beside its field; otherwise run `onValid` (which redirects or
 * renders). Forms that show only some of the schema's fields name them in `fields`: errors about
 * others, and conflicts, sit on `fallbackField` (or on `conflictFields[code]`); `rename` maps
 * schema fields to the form's names where they differ. Without `fields`, a conflict is not a
 * form error and goes to the error handler.
 */
export async function submitForm<S extends z.ZodType>(
  req: Request,
  res: Response,
  form: {
    view: string;
    schema: S;
    input: unknown;
    values: unknown;
    locals: () => Promise<Record<string, unknown>> | Record<string, unknown>;
    fields?: readonly string[];
    fallbackField?: string;
    rename?: Record<string, string>;
    conflictFields?: Record<string, string>;
  },
  onValid: (data: z.infer<S>) => Promise<void>,
): Promise<void> {
  const place = (errors: FieldMessages): FieldMessages => {
    if (!form.fields || !form.fallbackField) return errors;
    const out: FieldMessages = {};
    for (const [field, message] of Object.entries(errors)) {
      const name = form.rename?.[field] ?? field.replace(/\.\d+$/, '');
      out[form.fields.includes(name) ? name : form.fallbackField] ??= message;
    }
    return out;
  };
  const parsed = checkInput(form.schema, form.input);
  if (!parsed.success)
    return renderFormErrors(req, res, form.view, form.values, place(fieldMessages(parsed.error)), await form.locals());
  try {
    await onValid(parsed.data);
  } catch (error) {
    if (isAppError(error) && error.messages)
      return renderFormErrors(req, res, form.view, form.values, place(error.messages), await form.locals());
    if (isAppError(error) && error.status === 409 && form.fallbackField) {
      return renderFormErrors(
        req,
        res,
        form.view,
        form.values,
        { [form.conflictFields?.[error.code] ?? form.fallbackField]: error.publicMessage },
        await form.locals(),
      );
    }
    throw error;
  }
}
