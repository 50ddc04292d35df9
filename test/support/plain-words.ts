import { z } from 'zod';
import { checkInput, fieldErrors } from '../../src/shared/validation.js';

/**
 * What a validation message must never say to a person (issue 15 §1): zod's own words, raw enum
 * lists, code identifiers or rule ids.
 */
const FORBIDDEN: Array<[string, RegExp]> = [
  [
    'zod’s wording',
    /\b(expected|received|Invalid input|Invalid option|discriminator|Unrecognized key|Too (small|big))\b/i,
  ],
  ['a generic message', /^(Required|Invalid|Enter an answer|Choose an answer|Unknown field)$/i],
  ['a raw enum list', /\w+(-\w+)+\s*(\||,)\s*\w+(-\w+)+|'[a-z-]+'\s*\|/],
  ['a camelCase identifier', /\b[a-z]+[A-Z][A-Za-z]*\b/],
  ['a rule id', /\b(ATT|AMRA|CONF|FHIR)-\d+|§\s?\d|\((form )?[A-Z]+\d+\)/],
  ['a locale key', /^[a-z]+(\.[A-Za-z0-9-]+)+$/],
];

/** Why `message` may not reach a person, or null when it may. */
export function unplainWords(message: string): string | null {
  for (const [why, pattern] of FORBIDDEN) if (pattern.test(message)) return why;
  return null;
}

function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch'].includes(def.type))
    return unwrap(def.innerType!);
  if (def.type === 'pipe') return unwrap(def.in!);
  return schema;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return inner.shape as Record<string, z.ZodType>;
  if (inner instanceof z.ZodUnion) return shapeOf(inner.options[0] as z.ZodType);
  return {};
}

/** Every field of `schema` given a value of the wrong type: a list for a scalar, a number for a list or object. */
export function wrongTyped(schema: z.ZodType): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(shapeOf(schema)).map(([k, v]) => {
      const inner = unwrap(v);
      const structured = inner instanceof z.ZodArray || inner instanceof z.ZodObject || inner instanceof z.ZodRecord;
      return [k, structured ? 42 : [1]];
    }),
  );
}

/** The messages `schema` gives for an empty object and a wrong-typed one, as the API gives them. */
export function messagesFor(schema: z.ZodType): Array<{ input: string; field: string; message: string }> {
  const out: Array<{ input: string; field: string; message: string }> = [];
  for (const [input, value] of [
    ['empty', {}],
    ['wrong-typed', wrongTyped(schema)],
  ] as const) {
    const result = checkInput(schema, value);
    if (result.success) continue;
    for (const [field, message] of Object.entries(fieldErrors(result.error))) out.push({ input, field, message });
  }
  return out;
}
