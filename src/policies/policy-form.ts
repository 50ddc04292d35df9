import { POLICY_KINDS, type PolicyKind } from './policy-kinds.js';

/** One editable number of a policy, by its path in the policy's content. */
export interface PolicyField {
  path: string;
  /** The translation key of its label; its hint is `${label}Hint` when present. */
  label: string;
  /** The rule it sets (for readers of the code and the tests; never shown on the page). */
  rule?: string;
}

/** A group of fields on the form. */
export interface PolicySection {
  title: string;
  fields: PolicyField[];
}

const HSE_BENCHMARK_DOMAINS = [
  'demands',
  'control',
  'manager-support',
  'peer-support',
  'relationships',
  'role',
  'change',
] as const;

const f = (path: string, rule?: string): PolicyField => ({
  path,
  label: `policyForm.fields.${path}`,
  ...(rule ? { rule } : {}),
});

/**
 * What an HR or OH administrator edits on the policy page, kind by kind. Every number of the
 * attendance policy is here; the sick pay scale is a table of rows (ATT-29).
 */
export const POLICY_FORMS: Record<PolicyKind, { sections: PolicySection[]; scaleRows: number }> = {
  disclosure: {
    sections: [{ title: 'policyForm.sections.disclosure', fields: [f('minimumCellSize', 'CONF-5')] }],
    scaleRows: 0,
  },
  consent: {
    sections: [
      {
        title: 'policyForm.sections.consent',
        fields: [f('amraAccessDays', 'AMRA-4'), f('reportRetentionMonths', 'AMRA-6'), f('ohReviewWorkingDays', '§5b')],
      },
    ],
    scaleRows: 0,
  },
  bbv: {
    sections: [
      {
        title: 'policyForm.sections.bbv',
        fields: [f('toleranceDays', 'BBV-7'), f('reminderDaysBefore', 'BBV-7')],
      },
    ],
    scaleRows: 0,
  },
  surveys: {
    sections: [
      { title: 'policyForm.sections.surveys', fields: [f('reminderDaysBeforeClose', 'NA-7')] },
      // NA-5: blank for a domain means no benchmark for it (raw means only); blank throughout, none at all.
      {
        title: 'policyForm.sections.hseBenchmark',
        fields: HSE_BENCHMARK_DOMAINS.flatMap((d) =>
          (['p20', 'p50', 'p80'] as const).map((p) => f(`hseBenchmark.${d}.${p}`, 'NA-5')),
        ),
      },
    ],
    scaleRows: 0,
  },
  attendance: {
    scaleRows: 8,
    sections: [
      {
        title: 'policyForm.sections.triggers',
        fields: [
          f('bradfordWindowWeeks', 'ATT-15'),
          f('bradfordThreshold', 'ATT-18'),
          f('spellsThreshold', 'ATT-18'),
          f('spellsWindowMonths', 'ATT-18'),
          f('continuousDaysThreshold', 'ATT-18'),
          f('triggerReviewWithinWorkingDays', 'ATT-18'),
        ],
      },
      {
        title: 'policyForm.sections.milestones',
        fields: [
          f('milestones.contactWithinDays', 'ATT-2'),
          f('milestones.callOnDay', 'ATT-3'),
          f('milestones.certificateAfterDays', 'ATT-4'),
          f('milestones.liaisonAfterDays', 'ATT-9'),
          f('milestones.contactEveryDays', 'ATT-8'),
          f('milestones.homeVisitByDay', 'ATT-10'),
          f('milestones.reportEveryDays', 'ATT-10'),
          f('milestones.ohReferralAfterDays', 'ATT-12'),
          f('milestones.escalateAfterWorkingDays'),
          f('milestones.returnToWorkWithinWorkingDays', 'ATT-13'),
          f('milestones.accidentReportWithinDays', 'ATT-5'),
          f('milestones.hseReportableAfterDays', 'ATT-5'),
          f('milestones.hseReportWithinDays', 'ATT-5'),
        ],
      },
      {
        title: 'policyForm.sections.returnToWork',
        fields: [
          f('returnToWork.recuperativeMaxMonths', 'ATT-14'),
          f('returnToWork.recuperativeFullPayMonths', 'ATT-14'),
          f('returnToWork.reviewEveryMonths', 'ATT-14'),
        ],
      },
      {
        title: 'policyForm.sections.formalProcedure',
        fields: [
          f('formalProcedure.meetingNoticeWorkingDays', 'ATT-21'),
          f('formalProcedure.stage1ReviewMonths.min', 'ATT-21'),
          f('formalProcedure.stage1ReviewMonths.max', 'ATT-21'),
          f('formalProcedure.stage2ReviewMonths.min', 'ATT-22'),
          f('formalProcedure.stage2ReviewMonths.max', 'ATT-22'),
          f('formalProcedure.appealWarningWorkingDays', 'ATT-24'),
          f('formalProcedure.appealStage3WorkingDays', 'ATT-24'),
          f('formalProcedure.appealDecisionWorkingDays', 'ATT-24'),
          f('formalProcedure.postponementWorkingDays', 'ATT-24'),
          f('formalProcedure.warningLifeMonths', 'ATT-25'),
        ],
      },
      {
        title: 'policyForm.sections.sickPay',
        fields: [
          f('sickPay.lookBackMonths', 'ATT-29'),
          f('sickPay.warnDaysBefore', 'ATT-29'),
          f('sickPay.reviewEveryMonths', 'ATT-29'),
        ],
      },
      {
        title: 'policyForm.sections.cost',
        fields: [
          f('costPerDutyDay.default', 'ATT-28'),
          f('costPerDutyDay.byWorkforceRole.officer', 'ATT-28'),
          f('costPerDutyDay.byWorkforceRole.police-staff', 'ATT-28'),
          f('costPerDutyDay.byWorkforceRole.pcso', 'ATT-28'),
          f('costPerDutyDay.byWorkforceRole.special-constable', 'ATT-28'),
          f('costPerDutyDay.byWorkforceRole.volunteer', 'ATT-28'),
          f('financialYearStartMonth', 'ATT-28'),
        ],
      },
    ],
  },
};

function get(content: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), content);
}

function set(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

/** A number typed in a form: a number when it is one, else the text (so the schema refuses it, naming the field). */
function numberOf(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw.trim() : '';
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** The form's values (strings by path) for a policy's content. */
export function formValues(kind: PolicyKind, content: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const section of POLICY_FORMS[kind].sections)
    for (const field of section.fields) out[field.path] = String(get(content, field.path) ?? '');
  if (kind === 'attendance') {
    const scale = (get(content, 'sickPay.scale') as Array<Record<string, number>> | undefined) ?? [];
    for (let i = 0; i < POLICY_FORMS.attendance.scaleRows; i++) {
      for (const c of ['serviceFromMonths', 'fullPayDays', 'halfPayDays'])
        out[`sickPay.scale.${i}.${c}`] = scale[i] ? String(scale[i]![c]) : '';
    }
  }
  return out;
}

/** The policy content a submitted form describes; blank sick pay scale rows are left out. */
export function contentFromForm(kind: PolicyKind, body: Record<string, unknown>): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const section of POLICY_FORMS[kind].sections)
    for (const field of section.fields) set(content, field.path, numberOf(body[field.path]));
  if (kind === 'attendance') {
    const rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < POLICY_FORMS.attendance.scaleRows; i++) {
      const cells = ['serviceFromMonths', 'fullPayDays', 'halfPayDays'].map((c) => body[`sickPay.scale.${i}.${c}`]);
      if (cells.every((v) => typeof v !== 'string' || v.trim() === '')) continue;
      rows.push({
        serviceFromMonths: numberOf(cells[0]),
        fullPayDays: numberOf(cells[1]),
        halfPayDays: numberOf(cells[2]),
      });
    }
    set(content, 'sickPay.scale', rows);
  }
  if (kind === 'surveys') {
    // A domain left blank has no benchmark; a benchmark with no domain at all is none (NA-5).
    const benchmark: Record<string, unknown> = {};
    for (const d of HSE_BENCHMARK_DOMAINS) {
      const cells = (['p20', 'p50', 'p80'] as const).map((p) => body[`hseBenchmark.${d}.${p}`]);
      if (cells.every((v) => typeof v !== 'string' || v.trim() === '')) continue;
      benchmark[d] = { p20: numberOf(cells[0]), p50: numberOf(cells[1]), p80: numberOf(cells[2]) };
    }
    content.hseBenchmark = Object.keys(benchmark).length ? benchmark : null;
  }
  return content;
}

/** Whether a kind has an editing form. */
export function hasForm(kind: string): kind is PolicyKind {
  return Object.hasOwn(POLICY_FORMS, kind) && Object.hasOwn(POLICY_KINDS, kind);
}
