import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';

/** English, and Welsh (Welsh Language Standards): every self-service page has both; others fall back to English. */
export const LOCALES = ['en', 'cy'] as const;
export type Locale = (typeof LOCALES)[number];
export type Translate = (key: string, values?: Record<string, unknown>) => string;

const here = path.dirname(fileURLToPath(import.meta.url));

function loadLocale(locale: Locale): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(here, 'locales', `${locale}.json`), 'utf8')) as Record<string, unknown>;
}

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'cy';
}

/** The translation layer. Handlebars escapes what it prints, so i18next does not escape interpolations itself. */
export class Translator {
  private constructor(private readonly instance: i18n) {}

  static async create(): Promise<Translator> {
    const instance = i18next.createInstance();
    await instance.init({
      lng: 'en',
      fallbackLng: 'en',
      supportedLngs: [...LOCALES],
      resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: loadLocale(l) }])),
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
      showSupportNotice: false,
    });
    return new Translator(instance);
  }

  /** A translate function fixed to one locale. */
  forLocale(locale: Locale): Translate {
    const t = this.instance.getFixedT(locale);
    return (key, values) => String(t(key, values ?? {}));
  }

  /** True when `key` has its own text in `locale` (not a fallback). */
  has(locale: Locale, key: string): boolean {
    return this.instance.exists(key, { lng: locale, fallbackLng: false });
  }
}
