import type { Consent } from './consent-types.js';

/** A letter or notice: a title and paragraphs, printed from the letter layout or sent as the text of an email. */
export interface Letter {
  title: string;
  paragraphs: string[];
}

const RECIPIENT_WORDS = { 'line-manager': 'your line manager', 'hr-manager': 'HR' } as const;

function recipientWords(c: Consent): string {
  return c.recipient.type === 'employer' ? RECIPIENT_WORDS[c.recipient.role] : c.recipient.name;
}

/** AMRA-2: the rights the notice must state (s.3(2)), in plain English. */
export const AMRA_RIGHTS = [
  'You do not have to agree. You have the right to refuse consent to this application (Access to Medical Reports Act 1988, section 3).',
  'You may ask to see the report before it is supplied. If you do, the doctor will not supply it until you have seen it and agreed, or 21 days have passed after we apply without you arranging to see it (section 4).',
  'If you have asked to see it, you may ask after the application, too: the 21 days then run from your request.',
  'After seeing the report you may refuse to let it be supplied, and you may ask the doctor in writing to correct anything you think is incorrect or misleading. If the doctor will not change it, you may have a statement of your views attached to it (section 5).',
  'The doctor may withhold parts of the report that would be likely to cause serious harm to your health or anyone else’s, that would show the doctor’s intentions about you, or that would reveal information about someone else. You will be told if part is withheld (section 7).',
  'The doctor keeps a copy for at least 6 months after supplying it, and you may see it during that time (section 6).',
];

/**
 * The notice a consent request sends (AMRA-1, AMRA-2 for a treating doctor's report; §5b for an
 * OH report; §5c for sharing). It says what is asked and why, never anything clinical.
 */
export function noticeLetter(c: Consent, person: { givenName: string; familyName: string }, links: { consent: string }): Letter {
  const greeting = `Dear ${person.givenName} ${person.familyName},`;
  switch (c.kind) {
    case 'amra-report':
      return {
        title: 'Application for a medical report: your consent',
        paragraphs: [
          greeting,
          `The occupational health unit would like to ask ${c.doctor?.name ?? 'your doctor'}${c.doctor?.practice ? ` (${c.doctor.practice})` : ''} for a medical report about you, for this purpose: ${c.description}. The report would be passed to ${recipientWords(c)}.`,
          'We cannot apply for the report unless you agree. Your rights:',
          ...AMRA_RIGHTS,
          `You can give or refuse consent, and say whether you want to see the report first, at ${links.consent}, or by returning the paper form to the occupational health unit.`,
          'If you refuse, decisions about your employment will be made on the facts available.',
        ],
      };
    case 'oh-report-release':
      return {
        title: 'Your occupational health report: your consent to its release',
        paragraphs: [
          greeting,
          `After your occupational health assessment, we would like to send a report to ${recipientWords(c)} for this purpose: ${c.description}. It will give functional advice about work, not your diagnosis or clinical notes.`,
          'You may ask to see the report before it is released, and you will have time to review it. You can ask us to correct any factual error.',
          'You may refuse its release. If you do, we will tell them only that no report is available, and decisions will be made on the facts available.',
          `You can give or refuse consent at ${links.consent}.`,
        ],
      };
    case 'nhs-sharing':
      return {
        title: `Sharing your information with ${recipientWords(c)}`,
        paragraphs: [
          greeting,
          `The occupational health unit would like to share information about you with ${recipientWords(c)}, for this purpose: ${c.description}.`,
          `What would be shared: ${c.dataCategories.join(', ')}. Nothing else is shared, and information about mental health or sexual health is never shared unless it is listed here.`,
          c.periodEnd ? `Your consent would last until ${c.periodEnd}.` : 'Your consent would last until you withdraw it.',
          'You can withdraw your consent at any time. Anything not yet sent is then stopped at once.',
          `You can give or refuse consent at ${links.consent}.`,
        ],
      };
  }
}

/** AMRA-3: the person is told that the application has been made, and when. */
export function applicationLetter(c: Consent, person: { givenName: string }, links: { consent: string }): Letter {
  return {
    title: 'We have applied for your medical report',
    paragraphs: [
      `Dear ${person.givenName},`,
      `On ${c.applicationDate} we applied to ${c.doctor?.name ?? 'your doctor'} for the medical report you consented to.`,
      c.wishesToSeeReport
        ? 'You said you wish to see the report before it is supplied. We have told the doctor. Please contact the doctor within 21 days to arrange to see it; if you do not, it may be supplied after 21 days.'
        : 'You did not ask to see the report first. You can still ask: tell us or the doctor, and the report will not be supplied until 21 days after your request unless you have seen it and agreed.',
      `Details: ${links.consent}`,
    ],
  };
}

/** §5b / AMRA-4: a report is waiting for the person's review, and the day it will otherwise go. */
export function reviewLetter(c: Consent, person: { givenName: string }, links: { consent: string }, releaseFrom: string | null, today: string): Letter {
  return {
    title: 'A report is waiting for your review',
    paragraphs: [
      `Dear ${person.givenName},`,
      `The report for ${recipientWords(c)} is ready for you to read.`,
      releaseFrom === null
        ? 'It will not be released until you have told us your decision.'
        : releaseFrom > today
          ? `If you do not read it or tell us your decision, it may be released on ${releaseFrom}.`
          : 'The time to arrange to see it before it is released has passed, so it may be released now. Read it and tell us at once if you object.',
      'You can read it, ask for corrections, agree to its release or refuse it.',
      `Read it at ${links.consent}`,
    ],
  };
}

/** The plain text of a letter, for an email. */
export function letterText(letter: Letter): string {
  return `${letter.paragraphs.join('\n\n')}\n`;
}
