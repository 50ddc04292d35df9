import { describe, expect, it } from 'vitest';
import type { Actor } from '../auth/actor.js';
import type { PathwayDefinition } from '../pathways/definition.js';
import type { RequestContext } from '../shared/request-context.js';
import { ukTime } from './appointment-view.js';
import { appointmentsFor, waitingFor, type HomeDeps } from './home-service.js';

const ME = 'person-me';
const OTHER = 'person-other';
const ctx = { actor: { role: 'staff', personId: ME, userId: 'u1' } as unknown as Actor, requestId: 't', ip: null };
const now = new Date('2026-07-01T09:00:00Z');

const definition = {
  code: 'msk',
  title: 'Muscles and joints',
  steps: [
    { id: 'questionnaire', title: 'STarT Back', staffText: 'Fill in the back pain questionnaire', performer: 'staff' },
    {
      id: 'manager-review',
      title: 'Manager review',
      staffText: 'Your manager reviews duties',
      performer: 'line-manager',
    },
  ],
} as unknown as PathwayDefinition;

const step = (id: string, stepCode: string, assignee: unknown, status = 'open') => ({
  id,
  stepCode,
  assignee,
  status,
  dueBy: new Date('2026-07-05T16:00:00Z'),
});

function deps(
  over: Partial<{ consents: unknown[]; referrals: unknown[]; journeys: Map<string, unknown[]>; closedAs: string }> = {},
) {
  return {
    consent: {
      forPerson: async () =>
        (over.consents ?? []).map((consent) => ({ consent, history: [], earliestReleaseDate: null })),
    },
    referrals: { forPerson: async () => over.referrals ?? [] },
    pathways: {
      forPerson: async () => [
        {
          pathway: { id: 'p1', personId: ME, status: 'active' },
          definition,
          steps: [
            step('s1', 'questionnaire', { personId: ME }),
            step('s2', 'manager-review', { personId: ME }),
            step('s3', 'questionnaire', { personId: ME }, 'completed'),
          ],
        },
        {
          pathway: { id: 'p2', personId: ME, status: 'closed', outcome: over.closedAs ?? 'discharged' },
          definition,
          steps: [step('s4', 'questionnaire', { personId: ME })],
        },
      ],
    },
    pathwayReferrals: {
      forPathway: async (_: RequestContext, id: string) =>
        id === 'p2'
          ? [{ id: 'r4', status: 'sent', partnerOrganisationId: 'hb' }]
          : id === 'p1'
            ? [
                { id: 'r1', status: 'sent', partnerOrganisationId: 'hb' },
                { id: 'r2', status: 'sent', partnerOrganisationId: 'hb' },
                { id: 'r3', status: 'awaiting-consent', partnerOrganisationId: 'hb' },
              ]
            : [],
    },
    exchange: {
      journeys: async () =>
        over.journeys ??
        new Map<string, unknown[]>([
          [
            'r1',
            [
              {
                status: 'booked',
                appointmentAt: new Date('2026-07-14T13:30:00Z'),
                appointmentPlace: 'Physiotherapy, Outpatients Department, Westshire General Hospital',
              },
            ],
          ],
          // Past, so not coming up.
          ['r2', [{ status: 'booked', appointmentAt: new Date('2026-06-14T13:30:00Z') }]],
        ]),
    },
    people: { listOrganisations: async () => [{ id: 'hb', name: 'Westshire University Health Board' }] },
  } as unknown as HomeDeps;
}

describe('what waits for the officer', () => {
  it('lists consent requests to decide, reports waiting for their review, management referral copies, their own open steps and appointments to come; nothing of anyone else', async () => {
    const items = await waitingFor(
      deps({
        consents: [
          { id: 'c1', personId: ME, kind: 'nhs-sharing', status: 'requested', description: 'Physio' },
          {
            id: 'c2',
            personId: ME,
            kind: 'oh-report-release',
            status: 'report-received',
            wishesToSeeReport: true,
            supplyAgreedOn: null,
            description: 'Back to full duties',
          },
          // Waiting for OH, not for them.
          { id: 'c3', personId: ME, kind: 'amra-report', status: 'given', description: 'GP report' },
          { id: 'c4', personId: OTHER, kind: 'nhs-sharing', status: 'requested', description: 'Not mine' },
        ],
        referrals: [
          { id: 'm1', personId: ME, source: 'management', status: 'awaiting-triage', createdAt: now },
          { id: 'm2', personId: ME, source: 'management', status: 'accepted', createdAt: now },
          { id: 'm3', personId: ME, source: 'self', status: 'awaiting-triage', createdAt: now },
          { id: 'm4', personId: OTHER, source: 'management', status: 'awaiting-triage', createdAt: now },
        ],
      }),
      ctx,
      now,
    );
    expect(items.map((i) => i.kind)).toEqual([
      'consent-decision',
      'report-review',
      'referral-copy',
      'pathway-step',
      'appointment',
    ]);
    expect(items[0]).toMatchObject({ consentId: 'c1' });
    expect(items[1]).toMatchObject({ consentId: 'c2' });
    expect(items[2]).toMatchObject({ referralId: 'm1' });
    expect(items[3]).toMatchObject({ pathwayId: 'p1', stepId: 's1' });
    expect(items[4]).toMatchObject({
      pathwayId: 'p1',
      at: new Date('2026-07-14T13:30:00Z'),
      place: 'Physiotherapy, Outpatients Department, Westshire General Hospital',
      withOrganisation: 'Westshire University Health Board',
    });
  });

  it('is nothing for anyone but a staff member with a record', async () => {
    const manager = { ...ctx, actor: { ...ctx.actor, role: 'line-manager' } as Actor };
    expect(await waitingFor(deps(), manager, now)).toEqual([]);
    expect(await appointmentsFor(deps(), manager, now)).toEqual([]);
  });

  it('shows an appointment only once booked with a time to come, and its time in UK time', async () => {
    const later = await appointmentsFor(
      deps({ journeys: new Map([['r1', [{ status: 'attended', appointmentAt: null }]]]) }),
      ctx,
      now,
    );
    expect(later).toEqual([]);
    const [booked] = await appointmentsFor(deps(), ctx, now);
    // 13:30 UTC in July is 2:30pm British Summer Time; in January UTC and UK time agree.
    expect(ukTime(booked!.at, 'en')).toBe('2:30pm');
    expect(ukTime(booked!.at, 'cy')).toBe('14:30');
    expect(ukTime(new Date('2027-01-14T13:30:00Z'), 'en')).toBe('1:30pm');
  });

  it('shows the appointments of a pathway handed over to the NHS, but not of one closed otherwise, nor its steps', async () => {
    const journeys = new Map<string, unknown[]>([
      ['r4', [{ status: 'booked', appointmentAt: new Date('2026-07-20T09:00:00Z'), appointmentPlace: 'Ward 4' }]],
    ]);
    for (const closedAs of ['transferred-to-nhs', 'onward-referral']) {
      const items = await waitingFor(deps({ journeys, closedAs }), ctx, now);
      expect(
        items.filter((i) => i.kind === 'appointment'),
        closedAs,
      ).toEqual([expect.objectContaining({ pathwayId: 'p2', place: 'Ward 4' })]);
      expect(items.filter((i) => i.kind === 'pathway-step' && i.pathwayId === 'p2')).toEqual([]);
      expect(await appointmentsFor(deps({ journeys, closedAs }), ctx, now)).toHaveLength(1);
    }
    expect(await appointmentsFor(deps({ journeys, closedAs: 'discharged' }), ctx, now)).toEqual([]);
  });
});
