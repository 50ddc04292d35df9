import type { Request } from 'express';
import { inLanguage } from '../pathways/definition.js';
import { longDate, londonDay } from '../shared/dates.js';
import type { Config } from '../config/config.js';
import type { Appointment } from './home-service.js';

/** The time of day in UK time, as people read it: 2:30pm in English, 14:30 in Welsh. */
export function ukTime(at: Date, locale: 'en' | 'cy'): string {
  if (locale === 'cy')
    return at.toLocaleTimeString('cy-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
  return at
    .toLocaleTimeString('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' })
    .replace(/\s/g, '')
    .toLowerCase();
}

/** An appointment for the officer's pages: the day and time in UK time, where, who it is with, and how to change it. */
export function appointmentView(req: Request, a: Appointment, config: Pick<Config, 'ohContact'>) {
  const locale = req.locale === 'cy' ? 'cy' : 'en';
  const phone = config.ohContact?.phone ?? null;
  const email = config.ohContact?.email ?? null;
  return {
    pathwayId: a.pathwayId,
    when: req.t('appointments.when', { date: longDate(londonDay(a.at), locale), time: ukTime(a.at, locale) }),
    at: a.at.toISOString(),
    placeText: a.place ? req.t('appointments.where', { place: a.place }) : null,
    withText: a.withOrganisation ? req.t('appointments.with', { organisation: a.withOrganisation }) : null,
    pathwayTitle: inLanguage(a.definition, locale).title,
    change: req.t('appointments.change'),
    phone,
    email,
  };
}
