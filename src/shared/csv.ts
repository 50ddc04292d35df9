import { stringify } from 'csv-stringify/sync';

/**
 * Every CSV the platform writes goes through `toCsv` (a test fails if a file imports csv-stringify elsewhere),
 * so no cell of ours opens as a live formula in a spreadsheet (CSV or formula injection, OWASP).
 *
 * The choice, following OWASP's guidance: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a single quote in front. The value stays readable (`'=HYPERLINK(…)`, `'-` for a dash) and a
 * spreadsheet shows it as text. Numbers are written as numbers and never changed: a Bradford score, `-1.5` days
 * or a negative balance is data, not a formula, and must stay a number. So callers pass numbers as numbers; a
 * number formatted into a string (`cost.toFixed(2)`) is text like any other and is neutralised if it starts with
 * `-`. Cells are quoted as RFC 4180 requires (a comma, quote or line break), and also when they hold a
 * semicolon, the list separator of many locales, so a spreadsheet cannot split one cell into a second that
 * starts with a formula.
 */
export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe to open in a spreadsheet: a leading formula character gets a single quote before it. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Rows as CSV text, every text cell neutralised; numbers as they are; null and undefined as empty cells. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return stringify(
    rows.map((row) => row.map((cell) => (typeof cell === 'string' ? neutraliseCell(cell) : (cell ?? '')))),
    { quoted_match: ';' },
  );
}
