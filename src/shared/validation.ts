import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.js';
import { errorMap, inEnglish, problemOf, type FieldMessages } from './error-messages.js';

/**
 * Each field's problem from zod issues, as messages for the reader's language (an unknown key is a problem
 * of its own). Parse with `checkInput` or `parseInput`, so that the error map words every issue.
 */
export function fieldMessages(error: z.ZodError): FieldMessages {
  const fields: FieldMessages = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[[...issue.path, k].join('.')] = problemOf(issue, [...issue.path, k]);
      continue;
    }
    fields[issue.path.length ? issue.path.join('.') : 'body'] ??= problemOf(issue);
  }
  return fields;
}

/** Each field's problem from zod issues, in English (for logs, stored reasons and the JSON API). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  return inEnglish(fieldMessages(error));
}

/** Parses `value` with `schema` through THE error map (error-messages.ts): every issue names its field. */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.infer<S>> {
  return schema.safeParse(value, { error: errorMap }) as z.ZodSafeParseResult<z.infer<S>>;
}

/** Parses `value` with `schema`, throwing a 422 ValidationError listing every field's problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = checkInput(schema, value);
  if (!result.success) throw new ValidationError(fieldMessages(result.error));
  return result.data;
}
