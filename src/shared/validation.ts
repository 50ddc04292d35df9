import type { z } from 'zod';
import { ValidationError, type FieldErrors } from './errors.js';

/** Turns zod issues into a field → message map (unknown keys each get "Unknown field"). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[[...issue.path, k].join('.')] = 'Unknown field';
      continue;
    }
    fields[issue.path.length ? issue.path.join('.') : 'body'] ??= issue.message;
  }
  return fields;
}

/** Parses `value` with `schema`, throwing a 422 ValidationError listing every field's problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldErrors(result.error));
  return result.data;
}
