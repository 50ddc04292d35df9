import { z } from 'zod';
import { recordAbsenceSchema, type RecordAbsenceInput } from './attendance-schemas.js';
import { fieldErrors } from '../shared/validation.js';

/**
 * The CSV layout for importing absences from an HR system (issue 3 §9). One row per spell;
 * a header row naming the columns is required, in any order; unknown columns are refused.
 *
 *   staff_number        required  the person's staff number in the organisation
 *   start_date          required  YYYY-MM-DD
 *   end_date            optional  YYYY-MM-DD; blank while the person is still absent
 *   reason_category     required  one of the coded reason categories
 *   certification       optional  self | medical | none (default none)
 *   duty_related, injury_on_duty, pregnancy_related, disability_related
 *                       optional  yes/no, true/false, 1/0 (default no)
 *   not_sickness_kind   optional  disability-treatment | statutory-medical | pre-arranged-treatment
 *   expected_return_date optional YYYY-MM-DD
 */
export const IMPORT_COLUMNS = [
  'staff_number',
  'start_date',
  'end_date',
  'reason_category',
  'certification',
  'duty_related',
  'injury_on_duty',
  'pregnancy_related',
  'disability_related',
  'not_sickness_kind',
  'expected_return_date',
] as const;
const REQUIRED = ['staff_number', 'start_date', 'reason_category'] as const;

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', 'yes', 'no', 'true', 'false', '1', '0', 'y', 'n'].includes(v), 'Use yes or no')
  .transform((v) => v === 'yes' || v === 'true' || v === '1' || v === 'y');

export interface ParsedImportRow {
  line: number;
  staffNumber: string;
  absence: RecordAbsenceInput;
}

export interface RejectedImportRow {
  line: number;
  reason: string;
}

/** Checks the header: required columns present, nothing unknown. Returns a problem, or null. */
export function headerProblem(header: readonly string[]): string | null {
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) return `Unknown column(s): ${unknown.join(', ')}. Columns: ${IMPORT_COLUMNS.join(', ')}`;
  const missing = REQUIRED.filter((r) => !header.includes(r));
  if (missing.length) return `Missing column(s): ${missing.join(', ')}`;
  return null;
}

/** Turns one CSV record into a spell to record, or the reason it cannot be. Pure. */
export function parseImportRow(record: Record<string, string>, line: number): ParsedImportRow | RejectedImportRow {
  const text = (k: string) => (record[k] ?? '').trim();
  const flags: Record<string, boolean> = {};
  for (const k of ['duty_related', 'injury_on_duty', 'pregnancy_related', 'disability_related'] as const) {
    const parsed = flag.safeParse(record[k] ?? '');
    if (!parsed.success) return { line, reason: `${k}: use yes or no` };
    flags[k] = parsed.data;
  }
  if (!text('staff_number')) return { line, reason: 'staff_number: required' };
  const candidate = {
    startDate: text('start_date'),
    endDate: text('end_date') || null,
    reasonCategory: text('reason_category'),
    certification: text('certification') || 'none',
    dutyRelated: flags.duty_related,
    injuryOnDuty: flags.injury_on_duty,
    pregnancyRelated: flags.pregnancy_related,
    disabilityRelated: flags.disability_related,
    ...(text('not_sickness_kind') ? { notSicknessKind: text('not_sickness_kind') } : {}),
    ...(text('expected_return_date') ? { expectedReturnDate: text('expected_return_date') } : {}),
  };
  const parsed = recordAbsenceSchema.safeParse(candidate);
  if (!parsed.success) {
    const columnOf: Record<string, string> = {
      startDate: 'start_date',
      endDate: 'end_date',
      reasonCategory: 'reason_category',
      certification: 'certification',
      notSicknessKind: 'not_sickness_kind',
      expectedReturnDate: 'expected_return_date',
    };
    return {
      line,
      reason: Object.entries(fieldErrors(parsed.error))
        .map(([f, m]) => `${columnOf[f] ?? f}: ${m}`)
        .join('; '),
    };
  }
  return { line, staffNumber: text('staff_number').toUpperCase(), absence: parsed.data };
}
