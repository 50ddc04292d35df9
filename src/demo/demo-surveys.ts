import { Faker, en } from '@faker-js/faker';
import type { Actor } from '../auth/actor.js';
import { reportingGroups } from '../needs-assessment/population-groups.js';
import { HSE_ITEMS, scoreSurveyResponse, type HseDomain } from '../needs-assessment/scoring.js';
import {
  readAllAnswers,
  type SurveyAnswers,
  type SurveyQuestionnaire,
} from '../needs-assessment/survey-questionnaire.js';
import type { SurveyRepository } from '../needs-assessment/survey-repository.js';
import type { SurveyService } from '../needs-assessment/survey-service.js';
import type { Breakdown, Campaign, PopulationKind } from '../needs-assessment/survey-types.js';
import { invitationDigest } from '../needs-assessment/draft-seal.js';
import type { PolicyService } from '../policies/policy-service.js';
import { addDays, startOfLondonDay, type IsoDate } from '../shared/dates.js';
import { effectiveThreshold } from '../shared/disclosure.js';
import { ValidationError } from '../shared/errors.js';

/** How many UK days before the demo's today each closed campaign closed (src/demo/README.md). */
export const DEMO_SURVEY_DAYS = {
  needsAssessmentClosed: 60,
  hseClosed: 30,
  /** The earlier HSE campaign to the same unit, about 13 months ago: the "change since previous" of the later one. */
  previousHseClosed: 396,
  /** How long each closed campaign was open. */
  open: 28,
} as const;

const NEEDS_ASSESSMENT = 'community-needs-assessment';
const HSE = 'hse-indicator-tool';
const RISK_ASSESSMENT = 'psychological-risk-assessment';

type Rng = Faker;
type Weighted<T> = ReadonlyArray<readonly [T, number]>;

/** A normal draw (Box–Muller) from the seeded generator. */
function normal(rng: Rng, sd = 1): number {
  const u = Math.max(rng.number.float(), 1e-12);
  const v = rng.number.float();
  return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pick<T>(rng: Rng, options: Weighted<T>, shift = 0): T {
  // `shift` (−1…1) leans the draw towards the later (worse) options for someone under more strain.
  const weights = options.map(([, w], i) => Math.max(0.01, w * (1 + shift * (i / (options.length - 1 || 1) - 0.5))));
  let r = rng.number.float() * weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < options.length; i++) {
    r -= weights[i]!;
    if (r <= 0) return options[i]![0];
  }
  return options[options.length - 1]![0];
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const chance = (rng: Rng, p: number) => rng.number.float() < p;

/**
 * HSE domain means on the "higher is better" scale (Demands and Relationships items are stored reversed): demands
 * weaker, peer support and role stronger, as police teams usually answer; the earlier campaign a little worse on
 * demands, manager support and change, so the later one shows improvement there.
 */
const HSE_MEANS: Record<'previous' | 'recent', Record<HseDomain, number>> = {
  previous: {
    demands: 2.6,
    control: 3.25,
    'manager-support': 3.25,
    'peer-support': 3.9,
    relationships: 3.7,
    role: 4.05,
    change: 2.85,
  },
  recent: {
    demands: 2.85,
    control: 3.35,
    'manager-support': 3.6,
    'peer-support': 3.95,
    relationships: 3.75,
    role: 4.15,
    change: 3.15,
  },
};

const HSE_COMMENTS = [
  'Rest days keep getting cancelled at short notice, which makes it hard to plan anything with family.',
  'The team look out for each other, especially after difficult jobs.',
  'Our sergeant makes time for a proper debrief, which helps.',
  'Too many vacancies on the shift means we are always running short.',
  'Changes to the rota were explained well this time.',
  'It would help to have more time to finish paperwork during the shift.',
];

const NEEDS_COMMENTS = [
  'I did not know the occupational health unit could see people away from headquarters.',
  'Appointments are always in working hours, which is hard on a shift pattern.',
  'A quiet room at the station for counselling would make a difference.',
  'I would use support more if I was sure my supervisors would not find out.',
  'The peer supporters on our team have been brilliant.',
  'Some help planning for retirement would be welcome.',
  'Travelling to appointments from where I live takes most of a rest day.',
];

/** One synthetic HSE Indicator Tool response (35 items, codes "1".."5"), and now and then a comment. */
export function hseAnswers(rng: Rng, era: 'previous' | 'recent'): SurveyAnswers {
  const person = normal(rng, 0.45);
  const answers: SurveyAnswers = {};
  for (const item of HSE_ITEMS) {
    const good = clamp(Math.round(HSE_MEANS[era][item.domain] + person + normal(rng, 0.7)), 1, 5);
    answers[item.linkId] = String(item.reversed ? 6 - good : good);
  }
  if (chance(rng, 0.12)) answers['hse-comments'] = rng.helpers.arrayElement(HSE_COMMENTS);
  return answers;
}

/** Barriers to getting support (NA-1): shift patterns common, unsafe venues rare. */
const BARRIERS: Weighted<string> = [
  ['shift-patterns', 0.4],
  ['confidentiality-worries', 0.26],
  ['lives-outside-force-area', 0.2],
  ['non-confidential-venues', 0.11],
  ['work-address-identifies', 0.07],
  ['unsafe-venues', 0.03],
];

/** One synthetic community needs assessment response, with SWEMWBS near the population mean and PHQ-4 mostly low. */
export function needsAssessmentAnswers(rng: Rng): SurveyAnswers {
  // Strain: higher means more difficulty across the themes, lower wellbeing and more symptoms.
  const strain = normal(rng);
  const lean = clamp(strain * 0.6, -1, 1);
  const a: SurveyAnswers = {};
  // Some people leave an optional question unanswered.
  const ask = <T extends string | boolean>(linkId: string, value: () => T) => {
    if (!chance(rng, 0.04)) a[linkId] = value();
  };
  const yes = (p: number) => () => chance(rng, clamp(p, 0, 1));
  const barriers = BARRIERS.filter(([, p]) => chance(rng, clamp(p * (1 + 0.3 * strain), 0, 1))).map(([b]) => b);
  if (barriers.length) a.barriers = barriers;
  ask('put-off-care', () =>
    pick(
      rng,
      [
        ['never', 45],
        ['once-or-twice', 32],
        ['several-times', 15],
        ['often', 8],
      ],
      lean,
    ),
  );
  ask('caring-hours', () =>
    pick(rng, [
      ['none', 62],
      ['up-to-19', 24],
      ['20-to-49', 9],
      ['50-or-more', 5],
    ]),
  );
  ask('caring-fit', () =>
    pick(
      rng,
      [
        ['not-hard', 50],
        ['a-little-hard', 35],
        ['very-hard', 15],
      ],
      lean,
    ),
  );
  ask('money-worry', () =>
    pick(
      rng,
      [
        ['never', 22],
        ['sometimes', 46],
        ['often', 22],
        ['always', 10],
      ],
      lean,
    ),
  );
  ask('money-health', yes(0.22 + 0.1 * strain));
  ask('housing-security', () =>
    pick(
      rng,
      [
        ['very-secure', 48],
        ['fairly-secure', 38],
        ['not-very-secure', 10],
        ['not-secure', 4],
      ],
      lean,
    ),
  );
  ask('home-safe', yes(0.97));
  ask('lonely', () =>
    pick(
      rng,
      [
        ['hardly-ever', 55],
        ['some-of-the-time', 33],
        ['often', 12],
      ],
      lean,
    ),
  );
  ask('someone-to-talk-to', yes(0.86 - 0.08 * strain));
  ask('trauma-frequency', () =>
    pick(rng, [
      ['never', 12],
      ['once-or-twice', 33],
      ['every-few-months', 30],
      ['monthly-or-more', 25],
    ]),
  );
  ask('trauma-support', () =>
    pick(
      rng,
      [
        ['well', 30],
        ['partly', 38],
        ['not', 17],
        ['not-applicable', 15],
      ],
      lean,
    ),
  );
  const msk = chance(rng, 0.28);
  a['msk-injury'] = msk;
  if (msk)
    ask('msk-effect', () =>
      pick(
        rng,
        [
          ['not-at-all', 30],
          ['a-little', 50],
          ['a-lot', 20],
        ],
        lean,
      ),
    );
  ask('assaults-count', () =>
    pick(rng, [
      ['none', 48],
      ['once', 22],
      ['2-to-5', 22],
      ['more-than-5', 8],
    ]),
  );
  ask('assaults-support', () =>
    pick(
      rng,
      [
        ['yes', 35],
        ['partly', 25],
        ['no', 12],
        ['not-applicable', 28],
      ],
      lean,
    ),
  );
  const bbv = chance(rng, 0.14);
  a['bbv-exposure'] = bbv;
  if (bbv) {
    ask('bbv-speed', () =>
      pick(rng, [
        ['within-an-hour', 30],
        ['same-day', 40],
        ['later', 20],
        ['none', 10],
      ]),
    );
    ask('bbv-experience', () =>
      pick(
        rng,
        [
          ['good', 45],
          ['mixed', 38],
          ['poor', 17],
        ],
        lean,
      ),
    );
  }
  const dental = chance(rng, 0.06);
  a['dental-injury'] = dental;
  if (dental)
    ask('dental-treatment', () =>
      pick(rng, [
        ['easy', 35],
        ['quite-hard', 35],
        ['very-hard', 15],
        ['none', 15],
      ]),
    );
  ask('retirement-worry', () =>
    pick(rng, [
      ['not-at-all', 30],
      ['a-little', 38],
      ['quite-a-lot', 20],
      ['a-lot', 12],
    ]),
  );
  ask('retirement-help', yes(0.45));
  // SWEMWBS: seven items 1–5, a raw mean about 23.5 with a spread of about 4.
  for (let i = 1; i <= 7; i++)
    a[`swemwbs-${i}`] = String(clamp(Math.round(3.36 - 0.45 * strain + normal(rng, 0.65)), 1, 5));
  // PHQ-4: four items 0–3, mostly 0 or 1; those under most strain score higher.
  for (let i = 1; i <= 4; i++)
    a[`phq4-${i}`] = String(clamp(Math.round(0.45 + 0.5 * strain + normal(rng, 0.55)), 0, 3));
  if (chance(rng, 0.05)) a['cna-comments'] = rng.helpers.arrayElement(NEEDS_COMMENTS);
  return a;
}

interface PastCampaign {
  questionnaire: SurveyQuestionnaire;
  title: string;
  population: { kind: PopulationKind; ref: string };
  breakdown: Breakdown;
  closesOn: IsoDate;
  /** Responses over invitations. */
  rate: number;
  answers: () => SurveyAnswers;
  previousCampaignId: string | null;
}

interface Context {
  rng: Rng;
  repository: SurveyRepository;
  surveys: Pick<SurveyService, 'storePublished'>;
  organisationId: string;
  ownerUserId: string;
  threshold: number;
}

/**
 * Writes a campaign that ran in the past straight through the repository (SurveyService.launch refuses past
 * dates), as launch and publishing would have left it: its reporting groups made as launch makes them, the
 * unused invitations only (used ones are deleted), and the submitted responses with their scores, anonymous
 * (random id, group, UK day). Null when the population is too small to have been asked (CONF-5).
 */
async function writePastCampaign(ctx: Context, p: PastCampaign): Promise<Campaign | null> {
  const { rng, repository, threshold } = ctx;
  const opensOn = addDays(p.closesOn, -DEMO_SURVEY_DAYS.open);
  const invitees = await repository.population(ctx.organisationId, p.population.kind, p.population.ref, opensOn);
  if (invitees.length < threshold) return null;
  const { groups, groupOf } = reportingGroups(
    invitees.map((i) => ({
      personId: i.personId,
      key: p.breakdown === 'unit' ? i.unitId : p.breakdown === 'role' ? i.workforceRole : null,
    })),
    p.breakdown,
    threshold,
  );
  const campaign: Campaign = {
    id: rng.string.uuid(),
    organisationId: ctx.organisationId,
    questionnaireId: p.questionnaire.id,
    questionnaireVersion: p.questionnaire.version,
    title: p.title,
    mode: 'anonymous',
    populationKind: p.population.kind,
    populationRef: p.population.ref,
    breakdown: groups.length ? p.breakdown : 'none',
    groups,
    invitedCount: invitees.length,
    threshold,
    opensOn,
    closesOn: p.closesOn,
    ownerUserId: ctx.ownerUserId,
    previousCampaignId: p.previousCampaignId,
    lastRemindedOn: addDays(p.closesOn, -7),
    createdAt: new Date(startOfLondonDay(addDays(opensOn, -2)).getTime() + 10 * 3_600_000),
  };
  const order = rng.helpers.shuffle([...invitees]);
  const answered = clamp(Math.round(p.rate * invitees.length), threshold, invitees.length);
  const responders = order.slice(0, answered);
  const unused = order.slice(answered);
  await repository.transaction(async (trx) => {
    await repository.insertCampaign(campaign, trx);
    await repository.insertInvitations(
      unused.map((i) => ({
        id: rng.string.uuid(),
        campaignId: campaign.id,
        personId: i.personId,
        // A token nobody holds any more: the campaign has closed.
        digest: invitationDigest(rng.string.alphanumeric(43)),
        groupKey: groupOf.get(i.personId) ?? null,
      })),
      trx,
    );
    // Published as one batch, as a campaign's close leaves it: responses, tallies and comments.
    await ctx.surveys.storePublished(
      campaign,
      responders.map((r) => {
        const answers = readAllAnswers(p.questionnaire, p.answers());
        // Most answer in the first days, the rest after the reminder.
        const day = Math.min(DEMO_SURVEY_DAYS.open, Math.floor(Math.abs(normal(rng, DEMO_SURVEY_DAYS.open / 2.5))));
        return {
          groupKey: groupOf.get(r.personId) ?? null,
          submittedOn: addDays(opensOn, day),
          answers,
          scores: scoreSurveyResponse(answers),
        };
      }),
      trx,
      'replace',
    );
  });
  return campaign;
}

export interface DemoSurveys {
  needsAssessment: Campaign | null;
  hse: Campaign | null;
  previousHse: Campaign | null;
  /** The campaign open today that the demo officer is invited to. */
  open: string | null;
}

/**
 * The demo organisation's surveys (issue 17 §10; src/demo/README.md): a closed community needs assessment to the
 * whole host force broken down by unit, two closed HSE Indicator Tool campaigns to one unit a year apart, the
 * line manager appointed its facilitator, and a needs assessment open today that the demo officer is invited to.
 * Deterministic for a seed and the demo's today (all but the open campaign, which launch makes).
 */
export async function seedDemoSurveys(
  deps: {
    surveys: Pick<
      SurveyService,
      | 'launch'
      | 'questionnaire'
      | 'appointFacilitator'
      | 'storePublished'
      | 'recordAction'
      | 'startFromInvitation'
      | 'submit'
    >;
    repository: SurveyRepository;
    policy: Pick<PolicyService, 'inForce'>;
  },
  input: {
    organisationId: string;
    /** The OH administrator who ran the campaigns. */
    ohAdministrator: Actor;
    /** The demo line manager's account, appointed facilitator of the HSE campaigns' unit. */
    facilitatorUserId: string;
    /** The demo officer's own record. */
    officerPersonId: string;
    /** The demo line manager's own record: they own an action from the HSE results (NA-7). */
    facilitatorPersonId: string;
    /** The unit of the HSE campaigns (the line manager's), and the open campaign's (the officer's). */
    hseUnitId: string | null;
    officerUnitId: string | null;
    /** Units with enough people for a campaign of their own, largest first: used when the preferred one is small. */
    unitsBySize: readonly string[];
    today: IsoDate;
    seed: number;
  },
): Promise<DemoSurveys> {
  const rng = new Faker({ locale: [en] });
  rng.seed(input.seed + 17);
  const disclosure = await deps.policy.inForce(input.organisationId, 'disclosure', input.today);
  const ctx: Context = {
    rng,
    repository: deps.repository,
    surveys: deps.surveys,
    organisationId: input.organisationId,
    ownerUserId: input.ohAdministrator.userId,
    threshold: effectiveThreshold(disclosure.content.minimumCellSize),
  };
  const asAdmin = { actor: input.ohAdministrator, requestId: 'demo', ip: null };
  const needs = deps.surveys.questionnaire(NEEDS_ASSESSMENT);
  const hse = deps.surveys.questionnaire(HSE);
  const year = (d: IsoDate) => d.slice(0, 4);

  const needsClosesOn = addDays(input.today, -DEMO_SURVEY_DAYS.needsAssessmentClosed);
  const needsAssessment = await writePastCampaign(ctx, {
    questionnaire: needs,
    title: `Workforce wellbeing and needs assessment ${year(needsClosesOn)}`,
    population: { kind: 'organisation', ref: input.organisationId },
    breakdown: 'unit',
    closesOn: needsClosesOn,
    rate: 0.55 + rng.number.float() * 0.2,
    answers: () => needsAssessmentAnswers(rng),
    previousCampaignId: null,
  });

  // The HSE unit: the line manager's, or the largest unit when theirs is too small to ask on its own.
  const hseUnit = await unitWithEnough(deps.repository, ctx, [input.hseUnitId, ...input.unitsBySize], input.today);
  let previousHse: Campaign | null = null;
  let recentHse: Campaign | null = null;
  if (hseUnit) {
    const hseCampaign = (closesOn: IsoDate, era: 'previous' | 'recent', previous: string | null) =>
      writePastCampaign(ctx, {
        questionnaire: hse,
        title: `Team stress risk assessment ${year(closesOn)}`,
        population: { kind: 'unit', ref: hseUnit },
        breakdown: 'none',
        closesOn,
        rate: 0.55 + rng.number.float() * 0.2,
        answers: () => hseAnswers(rng, era),
        previousCampaignId: previous,
      });
    previousHse = await hseCampaign(addDays(input.today, -DEMO_SURVEY_DAYS.previousHseClosed), 'previous', null);
    recentHse = await hseCampaign(addDays(input.today, -DEMO_SURVEY_DAYS.hseClosed), 'recent', previousHse?.id ?? null);
    // Seed 002: the line manager facilitates the unit's stress risk assessment, so they read its results.
    await deps.surveys.appointFacilitator(asAdmin, input.facilitatorUserId, hseUnit);
  }
  // NA-7: the team's action planning session gave the manager an action, on their worklist (from the force's
  // needs assessment when the demo is too small for a team's stress risk assessment).
  if (recentHse)
    await deps.surveys.recordAction(asAdmin, recentHse.id, {
      topic: 'demands',
      description: 'Review the shift rota with the team so nobody works back-to-back late and early shifts.',
      ownerPersonId: input.facilitatorPersonId,
      dueOn: addDays(input.today, 28),
    });
  else if (needsAssessment)
    await deps.surveys.recordAction(asAdmin, needsAssessment.id, {
      topic: 'access',
      description: 'Ask the local surgeries about early-morning appointments for people on nights.',
      ownerPersonId: input.facilitatorPersonId,
      dueOn: addDays(input.today, 28),
    });

  // NA-8: a psychological risk assessment for a high-risk team, confidential to OH, with answers a clinician reviews.
  // A team other than the officer's and the manager's, so the demo accounts' own lists stay as the story tells.
  const riskUnit = await unitWithEnough(
    deps.repository,
    ctx,
    input.unitsBySize.filter((u) => u !== input.officerUnitId && u !== input.hseUnitId),
    input.today,
  );
  // A small demo has no such team: the whole force is asked instead (so the officer is invited too).
  const riskPopulation = riskUnit
    ? { kind: 'unit' as const, ref: riskUnit }
    : { kind: 'organisation' as const, ref: input.organisationId };
  const riskInvitees = await deps.repository.population(
    ctx.organisationId,
    riskPopulation.kind,
    riskPopulation.ref,
    input.today,
  );
  if (riskInvitees.length >= ctx.threshold) {
    const risk = await deps.surveys.launch(asAdmin, {
      questionnaireId: RISK_ASSESSMENT,
      title: 'Psychological risk assessment: specialist roles',
      mode: 'confidential',
      population: riskPopulation,
      breakdown: 'none',
      opensOn: input.today,
      closesOn: addDays(input.today, 28),
    });
    const q = deps.surveys.questionnaire(RISK_ASSESSMENT);
    // Not the demo officer: their own invitation stays for them to find at home.
    const invitees = riskInvitees.filter((i) => i.personId !== input.officerPersonId);
    for (const person of invitees.slice(0, 3)) {
      const asPerson = { ...asAdmin, actor: { ...input.ohAdministrator, personId: person.personId } };
      const handle = await deps.surveys.startFromInvitation(asPerson, risk.id);
      await deps.surveys.submit(handle, riskAnswers(rng, q));
    }
  }

  // Open today, through launch as OH would send it: the officer's unit, or the whole force when that is small.
  const openUnit = await unitWithEnough(deps.repository, ctx, [input.officerUnitId], input.today);
  let open: string | null = null;
  try {
    const launched = await deps.surveys.launch(asAdmin, {
      questionnaireId: NEEDS_ASSESSMENT,
      title: 'Your wellbeing and access to support',
      mode: 'anonymous',
      population: openUnit ? { kind: 'unit', ref: openUnit } : { kind: 'organisation', ref: input.organisationId },
      breakdown: openUnit ? 'none' : 'unit',
      opensOn: input.today,
      closesOn: addDays(input.today, 21),
    });
    open = launched.id;
  } catch (error) {
    // A demo organisation too small for any campaign simply has none open.
    if (!(error instanceof ValidationError)) throw error;
  }
  return { needsAssessment, hse: recentHse, previousHse, open };
}

/** Answers to every question of a questionnaire asked unconditionally: a plausible choice each, no free text. */
function riskAnswers(rng: Rng, q: SurveyQuestionnaire): SurveyAnswers {
  const answers: SurveyAnswers = {};
  for (const page of q.pages)
    for (const item of page.items) {
      if (item.enableWhen || item.type === 'display' || item.type === 'text' || item.type === 'string') continue;
      if (item.type === 'boolean') answers[item.linkId] = rng.number.float() < 0.3;
      else if (item.type === 'integer') answers[item.linkId] = rng.number.int({ min: 0, max: 5 });
      else if (item.type === 'choice') {
        // The calmer half of each scale, mostly.
        const options = item.options.slice(0, Math.max(1, Math.ceil(item.options.length / 2)));
        const code = rng.helpers.arrayElement(options).code;
        answers[item.linkId] = item.repeats ? [code] : code;
      }
    }
  return answers;
}

/** The first of `units` with at least the threshold of people in post today. */
async function unitWithEnough(
  repository: SurveyRepository,
  ctx: Context,
  units: ReadonlyArray<string | null>,
  today: IsoDate,
): Promise<string | null> {
  for (const unit of units) {
    if (!unit) continue;
    const people = await repository.population(ctx.organisationId, 'unit', unit, today);
    if (people.length >= ctx.threshold) return unit;
  }
  return null;
}
