import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSENT_KINDS } from './consent-types.js';

const locale = (lang: 'en' | 'cy') =>
  JSON.parse(readFileSync(new URL(`../i18n/locales/${lang}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const lookup = (tree: Record<string, unknown>, key: string): unknown =>
  key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);

/** Every banner key the consent pages use (issue 15 §4), a kind's key once per kind. */
function noticeKeys(): string[] {
  const source = ['consent-oh-pages.ts', 'consent-pages.ts']
    .map((f) => readFileSync(new URL(`./${f}`, import.meta.url), 'utf8'))
    .join('\n');
  const plain = [...source.matchAll(/'(notices\.consent\.[A-Za-z.]+)'/g)].map(([, k]) => k!);
  const byKind = [...source.matchAll(/`(notices\.consent\.[A-Za-z.]+)\.\$\{done\.consent\.kind\}`/g)].flatMap(([, k]) =>
    CONSENT_KINDS.map((kind) => `${k}.${kind}`),
  );
  return [...new Set([...plain, ...byKind])];
}

describe('consent banners (issue 15 §4)', () => {
  it('when a consent page confirms an action, then its words exist in English and in Welsh, and the Welsh is not the English', () => {
    const keys = noticeKeys();
    expect(keys.length).toBeGreaterThan(20);
    const [en, cy] = [locale('en'), locale('cy')];
    for (const key of keys) {
      expect(typeof lookup(en, key), key).toBe('string');
      expect(typeof lookup(cy, key), key).toBe('string');
      expect(lookup(cy, key), key).not.toBe(lookup(en, key));
    }
  });
});
