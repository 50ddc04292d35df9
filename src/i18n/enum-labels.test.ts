import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENUM_LABELS, enumItems, enumLabel, type EnumName } from './enum-labels.js';
import { LOCALES, Translator } from './i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const locales = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(here, 'locales', `${l}.json`), 'utf8')) as unknown]),
);
/** The text at a dotted key in one locale file, read directly: no fallback to English. */
const textAt = (locale: string, key: string): unknown =>
  key
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      locales[locale],
    );

const registered = Object.entries(ENUM_LABELS).flatMap(([name, { values, key }]) =>
  values.map((value) => ({ name, value, key: `${key}.${value}` })),
);

describe('enum labels', () => {
  it('when an enum value reaches a page, then it has a label in English and in Welsh, and the label is not the value', () => {
    expect(registered.length).toBeGreaterThan(200);
    const problems = LOCALES.flatMap((locale) =>
      registered.flatMap(({ name, value, key }) => {
        const text = textAt(locale, key);
        if (typeof text !== 'string') return [`${locale} ${name} ${value}: no label at ${key}`];
        if (!text.trim()) return [`${locale} ${name} ${value}: empty label`];
        if (text.trim() === value) return [`${locale} ${name} ${value}: label is the value`];
        return [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('when an enum is registered, then its values are distinct and its labels are distinct', () => {
    for (const [name, { values, key }] of Object.entries(ENUM_LABELS)) {
      expect(new Set(values).size, name).toBe(values.length);
      for (const locale of LOCALES) {
        const labels = values.map((v) => textAt(locale, `${key}.${v}`));
        // Two values may share words only where the domain does (stage outcomes "no action" at two stages).
        if (name !== 'procedureOutcome') expect(new Set(labels).size, `${locale} ${name}`).toBe(values.length);
      }
    }
  });

  it('when a page asks for a label or a list of choices, then it gets the words of its language', async () => {
    const translator = await Translator.create();
    const cy = translator.forLocale('cy');
    const en = translator.forLocale('en');
    expect(enumLabel(en, 'sharingPurpose', 'continuity-of-care')).toBe('Continuity of care');
    expect(enumLabel(cy, 'sharingPurpose', 'continuity-of-care')).toBe('Parhad gofal');
    expect(enumLabel(en, 'startBackRisk', 'medium')).toBe('Medium risk');
    const name: EnumName = 'consentKind';
    expect(enumItems(en, name).map((i) => i.value)).toEqual(['amra-report', 'oh-report-release', 'nhs-sharing']);
    expect(enumItems(cy, 'priority', ['urgent'])).toEqual([{ value: 'urgent', text: 'Brys' }]);
  });
});
