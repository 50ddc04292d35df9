import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StoredDataError } from '../shared/errors.js';
import { readJson } from './knex.js';

/** JSON columns are parsed when read, never cast (issue 14 §14). */
describe('readJson', () => {
  const schema = z.object({ reason: z.string(), priority: z.enum(['routine', 'urgent']) });

  it('when the column holds what the schema says, then text (SQLite) and parsed values (pg) read alike', () => {
    const value = { reason: 'Knee pain', priority: 'urgent' };
    expect(readJson(JSON.stringify(value), schema, 't.c')).toEqual(value);
    expect(readJson(value, schema, 't.c')).toEqual(value);
  });

  it('when the column does not match, then StoredDataError names the column and paths, never the values', () => {
    const read = () =>
      readJson('{"reason":"Sertraline 50mg","priority":"whenever"}', schema, 'pathway_referrals.details');
    expect(read).toThrow(StoredDataError);
    try {
      read();
    } catch (error) {
      const e = error as StoredDataError;
      expect(e.code).toBe('stored-data-invalid');
      expect(e.safeDetails).toEqual({ column: 'pathway_referrals.details', paths: ['priority'] });
      expect(JSON.stringify({ message: e.message, details: e.safeDetails })).not.toMatch(/Sertraline|whenever/);
    }
  });

  it('when the column is not JSON at all, then StoredDataError, not a SyntaxError quoting it', () => {
    expect(() => readJson('{"reason": Sertraline', schema, 't.c')).toThrow(StoredDataError);
  });
});
