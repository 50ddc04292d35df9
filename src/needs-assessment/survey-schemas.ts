import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../shared/dates.js';
import { BREAKDOWNS, POPULATION_KINDS, REVIEW_OUTCOMES, SURVEY_MODES } from './survey-types.js';

const day = z.iso
  .date()
  .refine((v) => isIsoDate(v) && v >= '2000-01-01' && v <= '2200-12-31', 'validation.realDate')
  .transform((v) => v as IsoDate);
const text = (max: number) => z.string().trim().max(max);
const figure = z.object({ value: z.number().nullable(), n: z.number().int(), suppressed: z.boolean() });

export const idParam = z.object({ id: z.uuid() }).strict();
export const questionnaireIdParam = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/) }).strict();

/** Launching a campaign (issue 17 §4). */
export const launchSchema = z
  .object({
    questionnaireId: z.string().min(1).max(60),
    title: text(200).min(1),
    mode: z.enum(SURVEY_MODES).default('anonymous'),
    organisationId: z.uuid().optional(),
    population: z
      .object({
        kind: z.enum(POPULATION_KINDS),
        // A unit's or organisation's id, a line manager's person id, or a workforce role.
        ref: z.string().trim().min(1).max(60),
      })
      .strict(),
    breakdown: z.enum(BREAKDOWNS).default('unit'),
    opensOn: day,
    closesOn: day,
  })
  .strict();

export const resultsQuery = z.object({ group: z.string().min(1).max(60).optional() }).strict();

export const startSchema = z.object({ invitationToken: z.string().min(20).max(200) }).strict();

export const answersSchema = z
  .object({
    answers: z.record(
      z.string().max(60),
      z.union([z.string().max(4000), z.number(), z.boolean(), z.array(z.string().max(60)).max(60)]),
    ),
  })
  .strict();

/** A submission, with the last answers if the client sends them with it. */
export const submitSchema = answersSchema.partial().optional();

export const actionSchema = z
  .object({
    groupKey: z.string().max(60).nullable().optional(),
    topic: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    description: text(2000).min(1),
    ownerPersonId: z.uuid(),
    dueOn: day,
  })
  .strict();

export const reviewSchema = z
  .object({ outcome: z.enum(REVIEW_OUTCOMES), note: text(4000).nullable().optional() })
  .strict();

export const questionnaireSummary = z.object({
  id: z.string(),
  url: z.string(),
  version: z.string(),
  title: z.string(),
  modes: z.array(z.enum(SURVEY_MODES)),
  pages: z.number().int(),
});

export const campaignResponse = z.object({
  id: z.uuid(),
  organisationId: z.uuid(),
  questionnaireId: z.string(),
  questionnaireVersion: z.string(),
  title: z.string(),
  mode: z.enum(SURVEY_MODES),
  population: z.object({ kind: z.enum(POPULATION_KINDS), ref: z.string() }),
  breakdown: z.enum(BREAKDOWNS),
  groups: z.array(z.object({ key: z.string(), invited: z.number().int() })),
  opensOn: z.string(),
  closesOn: z.string(),
  status: z.enum(['scheduled', 'open', 'closed']),
  invited: z.number().int(),
  responses: z.number().int(),
  responseRate: z.number(),
  responseRateBand: z.string(),
  previousCampaignId: z.uuid().nullable(),
});

export const responseState = z.object({
  id: z.uuid(),
  responseKey: z.string().optional(),
  campaignId: z.uuid(),
  questionnaire: z.object({ id: z.string(), version: z.string() }),
  answers: z.record(z.string(), z.unknown()),
  nextPage: z.number().int(),
  pages: z.number().int(),
});

export const resultsResponse = z.object({
  campaignId: z.uuid(),
  group: z.string().nullable(),
  threshold: z.number().int(),
  responses: figure,
  figures: z.array(
    z.object({
      code: z.string(),
      label: z.string(),
      value: z.number().nullable(),
      n: z.number().int(),
      suppressed: z.boolean(),
    }),
  ),
});

export const actionResponse = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  groupKey: z.string().nullable(),
  topic: z.string(),
  description: z.string(),
  ownerPersonId: z.uuid(),
  dueOn: z.string(),
  status: z.enum(['open', 'done']),
});
