import { z } from 'zod';

/**
 * The shapes of what partners send that our own code reads (issue 6 §4), checked with zod at the
 * edge beside @medplum/core's structural validation, which lets some wrong shapes through (an empty
 * string or numbers where an array of references belongs). Everything else a resource carries
 * passes through untouched.
 */
const text = z.string().min(1).max(10_000);
const coding = z.looseObject({ system: text.optional(), code: text.optional(), display: text.optional() });
const concept = z.looseObject({ coding: z.array(coding).max(50).optional(), text: text.optional() });
const identifier = z.looseObject({ system: text.optional(), value: text.optional() });
const reference = z.looseObject({
  reference: text.optional(),
  identifier: identifier.optional(),
  display: text.optional(),
});
const quantity = z.looseObject({ value: z.number().optional(), unit: text.optional(), comparator: text.optional() });
const period = z.looseObject({ start: text.optional(), end: text.optional() });

/** The longest part of an appointment's place a partner may send: a display, a name, an address line. */
export const PLACE_PART_LENGTH = 200;
const placePart = z.string().min(1).max(PLACE_PART_LENGTH);

/**
 * A Location contained in a Task, to say where the appointment is (issue 15 §8): its name and address,
 * each part bounded. The only resources a partner may contain in a Task.
 */
const containedLocation = z.looseObject({
  resourceType: z.literal('Location'),
  id: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
  name: placePart.optional(),
  address: z
    .looseObject({
      text: placePart.optional(),
      line: z.array(placePart).max(5).optional(),
      city: placePart.optional(),
      postalCode: z.string().min(1).max(20).optional(),
    })
    .optional(),
});

export const inboundTask = z.looseObject({
  resourceType: z.literal('Task'),
  id: text,
  status: text,
  statusReason: concept.optional(),
  businessStatus: concept.optional(),
  executionPeriod: period.optional(),
  // Where the appointment is: a reference with the place in words, or to a contained Location (#id).
  location: z
    .looseObject({ reference: text.optional(), identifier: identifier.optional(), display: placePart.optional() })
    .optional(),
  contained: z.array(containedLocation).max(5).optional(),
});

const resultCommon = {
  identifier: z.array(identifier).max(20).optional(),
  status: text,
  code: concept,
  subject: reference.optional(),
  basedOn: z.array(reference).min(1).max(20).optional(),
};

export const inboundObservation = z.looseObject({
  resourceType: z.literal('Observation'),
  ...resultCommon,
  valueQuantity: quantity.optional(),
  valueCodeableConcept: concept.optional(),
  dataAbsentReason: concept.optional(),
  interpretation: z.array(concept).max(20).optional(),
  referenceRange: z
    .array(z.looseObject({ low: quantity.optional(), high: quantity.optional(), text: text.optional() }))
    .max(20)
    .optional(),
  component: z
    .array(
      z.looseObject({ code: concept, valueQuantity: quantity.optional(), valueCodeableConcept: concept.optional() }),
    )
    .max(50)
    .optional(),
});

export const inboundReport = z.looseObject({
  resourceType: z.literal('DiagnosticReport'),
  ...resultCommon,
  result: z.array(reference).max(100).optional(),
  conclusion: text.optional(),
});

const entry = z.looseObject({
  fullUrl: text.optional(),
  resource: z.looseObject({ resourceType: text }).optional(),
  request: z.looseObject({ method: text, url: text, ifNoneExist: text.optional() }).optional(),
});

export const inboundBundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  id: text.optional(),
  type: text,
  entry: z.array(entry).max(200).optional(),
});

export const inboundMessageHeader = z.looseObject({
  resourceType: z.literal('MessageHeader'),
  eventCoding: coding,
  response: z.looseObject({ identifier: text, code: text }).optional(),
});

/** The path and words of the first problem zod found, for the OperationOutcome (never the value). */
export function shapeProblem(error: z.ZodError): Record<string, string> {
  const issue = error.issues[0]!;
  return { [issue.path.join('.') || 'resource']: issue.message.slice(0, 200) };
}
