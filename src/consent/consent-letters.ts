import type { Translate } from '../i18n/i18n.js';
import type { Consent } from './consent-types.js';
import type { IsoDate } from '../shared/dates.js';
import { releaseMessage, releaseWords } from './release-message.js';

/** The language a letter is written in: its texts, and how it writes a date (23 December 2026). */
export interface LetterLanguage {
  t: Translate;
  date: (iso: string) => string;
}

/** A letter or notice: a title and paragraphs, printed from the letter layout or sent as the text of an email. */
export interface Letter {
  title: string;
  paragraphs: string[];
}

/** AMRA-2: the rights the notice must state (s.3(2)), in plain English: `consentLetters.rights.*`. */
export const AMRA_RIGHTS = ['refuse', 'see', 'seeLater', 'correct', 'withhold', 'keep'] as const;

function recipientWords(c: Consent, t: Translate): string {
  return c.recipient.type === 'employer' ? t(`consents.recipients.${c.recipient.role}`) : c.recipient.name;
}

/**
 * The notice a consent request sends (AMRA-1, AMRA-2 for a treating doctor's report; §5b for an
 * OH report; §5c for sharing), from the `consentLetters` templates in the reader's language. It
 * says what is asked and why, never anything clinical.
 */
export function noticeLetter(
  c: Consent,
  person: { givenName: string; familyName: string },
  links: { consent: string },
  { t, date }: LetterLanguage,
): Letter {
  const greeting = t('consentLetters.greeting', { name: `${person.givenName} ${person.familyName}` });
  const vars = { recipient: recipientWords(c, t), purpose: c.description, link: links.consent };
  switch (c.kind) {
    case 'amra-report':
      return {
        title: t('consentLetters.amra.title'),
        paragraphs: [
          greeting,
          t('consentLetters.amra.ask', {
            ...vars,
            doctor: c.doctor?.practice ? `${c.doctor.name} (${c.doctor.practice})` : (c.doctor?.name ?? ''),
          }),
          t('consentLetters.amra.rightsIntro'),
          ...AMRA_RIGHTS.map((r) => t(`consentLetters.rights.${r}`)),
          t('consentLetters.amra.how', vars),
          t('consentLetters.refusal'),
        ],
      };
    case 'oh-report-release':
      return {
        title: t('consentLetters.ohRelease.title'),
        paragraphs: [
          greeting,
          t('consentLetters.ohRelease.ask', vars),
          t('consentLetters.ohRelease.review'),
          t('consentLetters.ohRelease.refuse'),
          t('consentLetters.how', vars),
        ],
      };
    case 'nhs-sharing':
      return {
        title: t('consentLetters.sharing.title', vars),
        paragraphs: [
          greeting,
          t('consentLetters.sharing.ask', vars),
          t('consentLetters.sharing.what', {
            categories: c.dataCategories.map((d) => t(`consents.categories.${d}`)).join('; '),
          }),
          c.periodEnd
            ? t('consentLetters.sharing.until', { date: date(c.periodEnd) })
            : t('consentLetters.sharing.untilWithdrawn'),
          t('consentLetters.sharing.withdraw'),
          t('consentLetters.how', vars),
        ],
      };
  }
}

/** AMRA-3: the person is told that the application has been made, and when. */
export function applicationLetter(
  c: Consent,
  person: { givenName: string },
  links: { consent: string },
  { t, date }: LetterLanguage,
): Letter {
  return {
    title: t('consentLetters.application.title'),
    paragraphs: [
      t('consentLetters.greeting', { name: person.givenName }),
      t('consentLetters.application.made', {
        date: c.applicationDate ? date(c.applicationDate) : '',
        doctor: c.doctor?.name ?? '',
      }),
      c.wishesToSeeReport ? t('consentLetters.application.willSee') : t('consentLetters.application.canStillSee'),
      t('consentLetters.details', { link: links.consent }),
    ],
  };
}

/** §5b / AMRA-4: a report is waiting for the person's review, and the day it will otherwise go. */
export function reviewLetter(
  c: Consent,
  person: { givenName: string },
  links: { consent: string },
  releaseFrom: string | null,
  today: string,
  { t, date }: LetterLanguage,
): Letter {
  return {
    title: t('consentLetters.review.title'),
    paragraphs: [
      t('consentLetters.greeting', { name: person.givenName }),
      t('consentLetters.review.ready', { recipient: recipientWords(c, t) }),
      releaseSentence(c, releaseFrom, today, { t, date }),
      t('consentLetters.review.options'),
      t('consentLetters.review.read', { link: links.consent }),
    ],
  };
}

/** When the report may go, in the same words as the person's pages (release-message.ts, issue 15 §5). */
function releaseSentence(c: Consent, releaseFrom: string | null, today: string, { t, date }: LetterLanguage): string {
  const m = releaseMessage(c, releaseFrom as IsoDate | null, today as IsoDate);
  if (!m) return t('consents.release.waitingForDecision');
  const { key, values } = releaseWords(m, date);
  return t(key, values);
}

/** The plain text of a letter, for an email. */
export function letterText(letter: Letter): string {
  return `${letter.paragraphs.join('\n\n')}\n`;
}
