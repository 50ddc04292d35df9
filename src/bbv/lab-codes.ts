import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BBV_TESTS, type BbvTest, type ResultValue } from './bbv-types.js';

interface CodeFile {
  system: string;
  tests: Record<BbvTest, string[]>;
  interpretation: { system: string } & Record<ResultValue, string[]>;
  snomed: { system: string } & Record<ResultValue, string[]>;
  words: Record<ResultValue, string[]>;
}
/** The code list, shipped as data (data/bbv-loinc.json), read once when the module loads. */
const codes = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'bbv-loinc.json'), 'utf8'),
) as CodeFile;

/**
 * A partner laboratory's Observation read onto the BBV schedule (issue 16 §4): which of the schedule's
 * tests its LOINC code is (data/bbv-loinc.json), and whether it says negative, positive or
 * indeterminate — from its interpretation code, a coded value (SNOMED CT) or the value's words. Pure.
 */

type Coding = { system?: string; code?: string; display?: string };
type Concept = { coding?: Coding[]; text?: string } | undefined;

/** The parts of an Observation the mapping reads. */
export interface LabObservation {
  code?: Concept;
  valueCodeableConcept?: Concept;
  valueString?: string;
  interpretation?: Concept[];
  effectiveDateTime?: string;
  effectiveInstant?: string;
  effectivePeriod?: { start?: string };
  status?: string;
}

const byLoinc = new Map<string, BbvTest>(
  BBV_TESTS.flatMap((t) => (codes.tests[t] ?? []).map((c): [string, BbvTest] => [c, t])),
);

/** The schedule's test a LOINC-coded Observation is, or null when it is not one of them. */
export function testOf(o: LabObservation): BbvTest | null {
  for (const c of o.code?.coding ?? []) {
    if (c.system !== codes.system || !c.code) continue;
    const t = byLoinc.get(c.code);
    if (t) return t;
  }
  return null;
}

const VALUES = ['negative', 'positive', 'indeterminate'] as const;

function fromCodes(
  list: readonly Coding[],
  table: { system: string } & Record<ResultValue, string[]>,
): ResultValue | null {
  for (const c of list) {
    if (c.system !== table.system || !c.code) continue;
    for (const v of VALUES) if (table[v].includes(c.code)) return v;
  }
  return null;
}

function fromWords(text: string | undefined): ResultValue | null {
  const t = text?.trim().toLowerCase();
  if (!t) return null;
  // "not detected" before "detected", "non-reactive" before "reactive": the longest phrase that matches wins.
  const matches = VALUES.flatMap((v) =>
    codes.words[v].filter((w) => t === w || t.startsWith(`${w} `) || t.startsWith(`${w}.`)).map((w) => ({ v, w })),
  );
  matches.sort((a, b) => b.w.length - a.w.length);
  return matches[0]?.v ?? null;
}

/** What the Observation says: negative, positive, indeterminate, or null when it cannot be read as one. */
export function resultOf(o: LabObservation): ResultValue | null {
  return (
    fromCodes(
      (o.interpretation ?? []).flatMap((i) => i?.coding ?? []),
      codes.interpretation,
    ) ??
    fromCodes(o.valueCodeableConcept?.coding ?? [], codes.snomed) ??
    fromWords(o.valueCodeableConcept?.text) ??
    fromWords(o.valueCodeableConcept?.coding?.find((c) => c.display)?.display) ??
    fromWords(o.valueString)
  );
}

/** A final (or corrected) result of a schedule test: its test and value; anything else is not for the schedule. */
export function scheduleResultOf(o: LabObservation): { test: BbvTest; result: ResultValue } | null {
  if (o.status !== undefined && !['final', 'amended', 'corrected'].includes(o.status)) return null;
  const test = testOf(o);
  const result = test ? resultOf(o) : null;
  return test && result ? { test, result } : null;
}
