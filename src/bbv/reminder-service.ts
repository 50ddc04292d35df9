import { Translator, type Translate } from '../i18n/i18n.js';
import { emailRecipient } from '../notifications/index.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import { longDate, type IsoDate } from '../shared/dates.js';
import type { BbvService } from './bbv-service.js';
import { reminderDay, type ScheduleItem } from './schedule.js';

export interface BbvReminderDeps {
  bbv: Pick<BbvService, 'openIncidents'>;
  people: Pick<PeopleService, 'recordsForSystem'>;
  notifications: Pick<NotificationService, 'enqueueEmail'>;
  policy: Pick<PolicyService, 'inForce'>;
  /** The OH unit's phone and email, when configured (OH_CONTACT_PHONE, OH_CONTACT_EMAIL). */
  ohContact: { phone: string | null; email: string | null } | undefined;
  /** Where the person reads their own page. */
  publicUrl: string;
}

/** One reminder sent (or already queued before): which incident's timepoint, and to which kind of address. */
export interface ReminderSent {
  incidentId: string;
  timepoint: ScheduleItem['timepoint'];
  to: 'personal' | 'work';
}

/**
 * Issue 16 §3: the person is reminded before each test window opens, from the BBV policy's
 * `reminderDaysBefore` until the window opens. The email comes from OH, names no virus and no test
 * (only "a follow-up blood test with occupational health" and the dates), and goes to the person's
 * personal email, or their work email unless their identity is protected (CONF-3); never twice for
 * the same timepoint (the email job's dedupe key).
 */
export class BbvReminderService {
  private readonly translator = Translator.load();

  constructor(private readonly deps: BbvReminderDeps) {}

  /** Queues the reminders due on `today` (a UK day); returns what it queued. Run daily. */
  async remind(today: IsoDate): Promise<ReminderSent[]> {
    const open = await this.deps.bbv.openIncidents(today);
    const people = await this.deps.people.recordsForSystem([...new Set(open.map((r) => r.incident.personId))]);
    const sent: ReminderSent[] = [];
    for (const { incident, schedule } of open) {
      const person = people.get(incident.personId);
      if (!person) continue;
      const to = emailRecipient(person);
      if (!to) continue;
      const policy = await this.deps.policy.inForce(incident.organisationId, 'bbv', today);
      for (const item of schedule) {
        // Before the window opens, from the reminder day on: a missed daily run still reminds the next day.
        if (item.status !== 'upcoming' || today < reminderDay(item, policy.content.reminderDaysBefore)) continue;
        if (today >= item.windowStart) continue;
        await this.deps.notifications.enqueueEmail(this.message(person, to.address, item), undefined, {
          dedupeKey: `bbv-reminder:${incident.id}:${item.timepoint}`,
        });
        sent.push({ incidentId: incident.id, timepoint: item.timepoint, to: to.kind });
      }
    }
    return sent;
  }

  /** The email, in English then Welsh: the platform stores no language preference for a person. */
  private message(person: Person, to: string, item: ScheduleItem) {
    const words = (t: Translate, locale: 'en' | 'cy') => {
      const contact = this.deps.ohContact;
      return [
        t('bbvOwn.reminder.greeting', { name: person.givenName }),
        t('bbvOwn.reminder.body', {
          from: longDate(item.windowStart, locale),
          to: longDate(item.windowEnd, locale),
        }),
        contact?.phone || contact?.email
          ? t('bbvOwn.reminder.contact', {
              how: [contact.phone, contact.email].filter(Boolean).join(t('bbvOwn.reminder.or')),
            })
          : t('bbvOwn.reminder.contactUnit'),
        t('bbvOwn.reminder.results'),
        t('bbvOwn.reminder.page', { url: `${this.deps.publicUrl}/me/bbv` }),
        t('bbvOwn.reminder.signOff'),
      ].join('\n\n');
    };
    const en = this.translator.forLocale('en');
    const cy = this.translator.forLocale('cy');
    return {
      to,
      subject: `${en('bbvOwn.reminder.subject')} / ${cy('bbvOwn.reminder.subject')}`,
      text: `${words(en, 'en')}\n\n----\n\n${words(cy, 'cy')}\n`,
    };
  }
}
