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
    return Promise.resolve(Translator.load());
  }

  /** The same, at once: the resources are in memory, so i18next initialises synchronously. */
  static load(): Translator {
    const instance = i18next.createInstance();
    void instance.init({
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

let english: Translator | undefined;

/**
 * The platform's own English, for text that is not for one reader's language: the sentences the JSON
 * API gives in `error.fields`. Loaded on first use.
 */
export function platformEnglish(): { t: Translate; has: (key: string) => boolean } {
  english ??= Translator.load();
  const translator = english;
  return { t: translator.forLocale('en'), has: (key) => translator.has('en', key) };
}
