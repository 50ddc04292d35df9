import type { Request } from 'express';
import { z } from 'zod';
import type { RoutePolicy } from '../auth/access-policy.js';
import { parseInput } from '../shared/validation.js';
import { fromForm, type FormFieldKind } from './forms.js';
import { ensureCsrfToken } from './middleware.js';
import { renderPage, submitForm } from './render.js';
import type { RouteDefinition } from './route-registry.js';

const idParam = z.object({ id: z.uuid() });

/**
 * The two routes of a form about one record (`:id` in the path): a GET that shows it and a
 * POST that saves it, coming back with 422, the values kept and each error beside its field
 * when the input or the use case refuses it; on success, the browser is sent where `save` says.
 */
export function formPage<S extends z.ZodType>(f: {
  path: string;
  view: string;
  summary: string;
  policy: RoutePolicy;
  /** How the posted fields become the schema's input: a field spec, or a function. */
  input: Record<string, FormFieldKind> | ((body: Record<string, unknown>) => Record<string, unknown>);
  schema: S;
  locals: (req: Request, id: string) => Promise<Record<string, unknown>>;
  defaults: () => Record<string, unknown>;
  /** Values the form does not ask for. */
  fixed?: () => Record<string, unknown>;
  /** Saves, and says where to go next. */
  save: (req: Request, id: string, data: z.infer<S>) => Promise<string>;
}): RouteDefinition[] {
  const shape =
    typeof f.input === 'function'
      ? f.input
      : (body: Record<string, unknown>) => fromForm(body, f.input as Record<string, FormFieldKind>);
  return [
    {
      method: 'get',
      path: f.path,
      kind: 'page',
      policy: f.policy,
      summary: `The form: ${f.summary}`,
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, f.view, { ...(await f.locals(req, id)), values: f.defaults() });
      },
    },
    {
      method: 'post',
      path: f.path,
      kind: 'page',
      policy: f.policy,
      summary: `Saves: ${f.summary}`,
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const values = req.body as Record<string, unknown>;
        const input = { ...shape(values), ...(f.fixed?.() ?? {}) };
        await submitForm(
          req,
          res,
          { view: f.view, schema: f.schema, input, values, locals: () => f.locals(req, id) },
          async (data) => {
            res.redirect(303, await f.save(req, id, data));
          },
        );
      },
    },
  ];
}
