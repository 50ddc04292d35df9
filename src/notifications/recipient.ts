/**
 * Where a person is written to about their own health matters (a test reminder, a survey invitation): their
 * personal email, or their work email unless their identity is protected (CONF-3); nowhere when neither applies.
 */
export function emailRecipient(person: {
  personalEmail: string | null;
  workEmail: string | null;
  protectedIdentity: boolean;
}): { address: string; kind: 'personal' | 'work' } | null {
  if (person.personalEmail) return { address: person.personalEmail, kind: 'personal' };
  if (!person.protectedIdentity && person.workEmail) return { address: person.workEmail, kind: 'work' };
  return null;
}
