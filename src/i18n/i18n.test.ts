import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES, Translator } from './i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (l: string) =>
  JSON.parse(fs.readFileSync(path.join(here, 'locales', `${l}.json`), 'utf8')) as Record<string, unknown>;

function keys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/**
 * Welsh Language Standards: every page a staff member uses for themselves has Welsh text
 * from the start. These are the namespaces those pages draw on (layout, sign-in,
 * security codes, their home page, their record, their account, errors).
 */
const SELF_SERVICE = [
  'service.',
  'layout.',
  'forms.',
  'validation.',
  'reasons.',
  'milestones.',
  'triggers.',
  'attendance.title',
  'attendance.asOf',
  'attendance.bradford',
  'attendance.projected',
  'attendance.spellsAndDays',
  'attendance.spellCount',
  'attendance.workingDayCount',
  'attendance.triggersTitle',
  'attendance.milestonesTitle',
  'attendance.milestone',
  'attendance.due',
  'attendance.status',
  'attendance.overdue',
  'attendance.open',
  'attendance.spellsTitle',
  'attendance.from',
  'attendance.to',
  'attendance.reason',
  'attendance.counts',
  'attendance.stillAbsent',
  'attendance.discounted',
  'attendance.yes',
  'attendance.notSickness',
  'attendance.noSpells',
  'attendance.policyVersion',
  'attendance.link',
  'login.',
  'mfa.',
  'mfaSetup.',
  'me.',
  'account.',
  'setPassword.',
  'errors.',
  'roles.',
  'workforceRoles.',
  'nav.home',
  'nav.myRecord',
  'nav.account',
  'home.title',
  'home.intro.staff',
  'home.cards.myRecord.',
  // What a staff member sees of their own case (issue 3): the case page, sick pay, letters.
  'letters.',
  'procedure.title',
  'procedure.backToAttendance',
  'procedure.link',
  'procedure.stepsTitle',
  'procedure.step',
  'procedure.dates',
  'procedure.outcome',
  'procedure.next',
  'procedure.meetingOn',
  'procedure.postponedFrom',
  'procedure.ohReportOn',
  'procedure.awaitingOutcome',
  'procedure.reviewUntil',
  'procedure.warning',
  'procedure.appealLodged',
  'procedure.appealDecisionDue',
  'procedure.appealBy',
  'procedure.letter.',
  'procedure.noSteps',
  'procedure.decisionsTitle',
  'procedure.decidedFor',
  'procedure.triggers',
  'procedure.decision',
  'procedure.rationale',
  'procedure.noDecisions',
  'procedure.disabilityTitle',
  'procedure.disabilityDiscounted',
  'procedure.disabilityCounts',
  'procedure.disabilityDiscountFrom',
  'procedure.disabilityCountsFrom',
  'procedure.steps.',
  'procedure.outcomes.',
  'procedure.appealOutcomes.',
  'procedure.decisions.',
  'sickPay.title',
  'sickPay.full',
  'sickPay.half',
  'sickPay.none',
  'sickPay.fullUntil',
  'sickPay.halfUntil',
  'sickPay.noHalf',
  'sickPay.noFull',
  'sickPay.now',
  'sickPay.excluded',
  'sickPay.entitlement',
  'sickPay.extended',
  'attendance.contactThrough',
  'attendance.handover',
  // Their own pathways and step forms, self-referral and their copies of referrals (issue 4).
  'pathways.common.',
  'pathways.list.',
  'pathways.self.',
  'pathways.services.',
  'pathways.advice.',
  'pathways.step.',
  'referrals.sources.',
  'referrals.statuses.',
  'referrals.concerns.',
  'referrals.copy.',
  'referrals.self.',
  'referrals.mine.',
  'home.cards.selfReferral.',
  'home.cards.myReferrals.',
  // Their own consents and the reports waiting for their review (issue 5); the manager's page (consents.recipient.) is English only.
  'consents.kinds.',
  'consents.statuses.',
  'consents.recipients.',
  'consents.categories.',
  'consents.withheld.',
  'consents.events.',
  'consents.common.',
  'consents.mine.',
  'consents.show.',
  'consents.report.',
  'consents.errors.',
  'consentLetters.',
  'home.cards.myConsents.',
];
const SUMMARY_FIELDS = [
  'people.name',
  'people.staffNumber',
  'people.collarNumber',
  'people.role',
  'people.unit',
  'people.lineManager',
  'people.serviceStartDate',
  'people.dateOfBirth',
  'people.nhsNumber',
  'people.workEmail',
  'people.personalEmail',
];

/** Every text by its dotted key. */
function flat(obj: Record<string, unknown>, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    Object.entries(obj).flatMap(([k, v]) =>
      v && typeof v === 'object'
        ? Object.entries(flat(v as Record<string, unknown>, `${prefix}${k}.`))
        : [[`${prefix}${k}`, String(v)]],
    ),
  );
}

describe('translations', () => {
  it('when a self-service text exists in English, then it exists in Welsh too', () => {
    const en = keys(load('en'));
    const cy = new Set(keys(load('cy')));
    const needed = en.filter((k) => SELF_SERVICE.some((p) => k === p || k.startsWith(p)) || SUMMARY_FIELDS.includes(k));
    expect(needed.length).toBeGreaterThan(60);
    expect(needed.filter((k) => !cy.has(k))).toEqual([]);
  });

  it('when Welsh has a key, then English has it too (no orphans; Welsh has more plural forms than English)', () => {
    const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
    const en = new Set(keys(load('en')).map(base));
    expect(keys(load('cy')).filter((k) => !en.has(base(k)))).toEqual([]);
  });

  it('when a text counts something, then it has every plural form its language needs (CLDR), and no other', () => {
    for (const locale of LOCALES) {
      const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      const forms = new Map<string, string[]>();
      for (const key of keys(load(locale))) {
        const m = /^(.+)_(zero|one|two|few|many|other)$/.exec(key);
        if (m) forms.set(m[1]!, [...(forms.get(m[1]!) ?? []), m[2]!]);
      }
      expect(forms.size, locale).toBeGreaterThan(locale === 'en' ? 8 : 3);
      for (const [base, have] of forms) expect([...have].sort(), `${locale} ${base}`).toEqual([...needed].sort());
    }
  });

  it('when a text shows a count, then it goes through plural forms: never "(s)", never {{count}} outside a plural key', () => {
    for (const locale of LOCALES) {
      const texts = Object.entries(flat(load(locale)));
      expect(
        texts.filter(([, v]) => /\(s\)/.test(v)).map(([k]) => k),
        locale,
      ).toEqual([]);
      expect(
        texts.filter(([k, v]) => v.includes('{{count}}') && !/_(zero|one|two|few|many|other)$/.test(k)).map(([k]) => k),
        locale,
      ).toEqual([]);
    }
  });

  it('when a count is shown in Welsh or English, then each number takes its own form', async () => {
    const translator = await Translator.create();
    const cy = translator.forLocale('cy');
    const en = translator.forLocale('en');
    expect(en('attendance.spellCount', { count: 1 })).toBe('1 spell');
    expect(en('attendance.spellCount', { count: 2 })).toBe('2 spells');
    expect([0, 1, 2, 3, 6, 11].map((count) => cy('attendance.spellCount', { count }))).toEqual([
      'dim cyfnodau',
      '1 cyfnod',
      '2 gyfnod',
      '3 chyfnod',
      '6 chyfnod',
      '11 cyfnod',
    ]);
    // A text not yet in Welsh falls back to the English form for the number.
    expect(cy('pathways.referrals.attempts', { count: 1 })).toBe('1 attempt');
    expect(cy('pathways.referrals.attempts', { count: 3 })).toBe('3 attempts');
  });

  it('when a page is not yet translated, then Welsh falls back to English', async () => {
    const translator = await Translator.create();
    expect(translator.forLocale('cy')('audit.title')).toBe('Audit trail');
    expect(translator.forLocale('cy')('login.title')).toBe('Mewngofnodi');
    expect(translator.forLocale('cy')('home.title', { name: 'Siân' })).toBe('Croeso, Siân');
  });

  it('when any locale text or template is read, then it names no rule id: those belong in code and tests', () => {
    // ATT-11, AMRA-7, CONF-4, §5c, App D §2, form A316: what the code cites, never what a page says.
    const RULE_ID = /\b(?:[A-Z]{2,5}-\d+[a-z]?)\b|§|\bform [A-Z]\d+\b/;
    const values = (obj: Record<string, unknown>): string[] =>
      Object.values(obj).flatMap((v) =>
        v && typeof v === 'object' ? values(v as Record<string, unknown>) : [String(v)],
      );
    for (const locale of ['en', 'cy']) expect(values(load(locale)).filter((v) => RULE_ID.test(v))).toEqual([]);
    const views = path.resolve(here, '../../views');
    const templates = fs.readdirSync(views, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));
    expect(templates.length).toBeGreaterThan(10);
    const named = templates.filter((f) =>
      RULE_ID.test(fs.readFileSync(path.join(views, f), 'utf8').replace(/\{\{!--[\s\S]*?--\}\}|\{\{![^}]*\}\}/g, '')),
    );
    expect(named).toEqual([]);
  });
});
