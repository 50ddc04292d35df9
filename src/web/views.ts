import path from 'node:path';
import { enumLabelKey, isEnumName } from '../i18n/enum-labels.js';
import { longDate, shortDateTime } from '../shared/dates.js';
import { datePart } from './date-parts.js';
import type { Express } from 'express';
import { create } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';

/** The Intl locale for the page being rendered (Welsh pages get Welsh month names). */
function pageLocale(options: HelperOptions): 'en' | 'cy' {
  return (options.data?.root as { locale?: string } | undefined)?.locale === 'cy' ? 'cy' : 'en';
}

/** The page's translate function (a key stands for itself when there is none, as in a bare render). */
function pageT(options: HelperOptions): (k: string, v?: Record<string, unknown>) => string {
  return (options.data?.root as { t?: (k: string, v?: Record<string, unknown>) => string })?.t ?? ((k) => k);
}

/** Handlebars with the layouts and partials under views/, and the helpers every page may use. */
export function configureViews(app: Express, viewsDir: string): void {
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers: {
      /** {{t "key" name=value}}: the text for the request's language. */
      t(key: string, options: HelperOptions) {
        return pageT(options)(key, options.hash);
      },
      /** {{enumLabel "consentKind" kind}}: an enum value's label (i18n/enum-labels.ts), never the value itself. */
      enumLabel(name: unknown, value: unknown, options: HelperOptions) {
        if (!isEnumName(name)) throw new Error(`enumLabel: no enum is registered as ${String(name)}`);
        if (value === null || value === undefined || value === '') return '';
        return pageT(options)(enumLabelKey(name, String(value)));
      },
      eq: (a: unknown, b: unknown) => a === b,
      /** A checkbox's value among those submitted: a list, or a single value when only one was ticked. */
      includes: (list: unknown, item: unknown) => (Array.isArray(list) ? list.includes(item) : list === item),
      or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
      and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
      not: (a: unknown) => !a,
      /** The error text for one field, if any. */
      fieldError(errors: Record<string, string> | undefined, field: string) {
        return errors?.[field];
      },
      /** A date-time for people, in the page's language: 22 Nov 2026, 10:05. */
      dateTime(value: Date | string | null | undefined, options: HelperOptions) {
        if (!value) return '';
        return shortDateTime(new Date(value), pageLocale(options));
      },
      /** A calendar date (YYYY-MM-DD) for people, in the page's language: 22 November 2026. */
      date(value: string | null | undefined, options: HelperOptions) {
        if (!value) return '';
        return longDate(value, pageLocale(options));
      },
      /** {{datePart values "startDate" "day"}}: one box of a date input (partials/date-input.hbs). */
      datePart: (values: unknown, name: string, part: 'day' | 'month' | 'year' | 'time') =>
        datePart(values, name, part),
      json: (value: unknown) => JSON.stringify(value, null, 2),
      add: (a: number, b: number) => a + b,
      /** {{#each (array "a" "b")}}: a literal list. */
      array: (...args: unknown[]) => args.slice(0, -1),
      concat: (...args: unknown[]) => args.slice(0, -1).join(''),
      /** {{obj value="a" text="A"}}: a literal object (for radios built in the template). */
      obj: (options: HelperOptions) => ({ ...options.hash }),
      /** {{map list "code" "name"}}: a list as radio or checkbox items ({ value, text }). */
      map: (list: unknown, valueKey: string, textKey: string) =>
        Array.isArray(list) ? list.map((x: Record<string, unknown>) => ({ value: x[valueKey], text: x[textKey] })) : [],
    },
  });
  app.engine('.hbs', hbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', viewsDir);
}
