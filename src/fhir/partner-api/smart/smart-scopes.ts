/**
 * SMART system scopes (FHIR-8), pure. A scope names a resource type (or `*`) and what may be done
 * with it: SMART v2 letters `c` create, `r` read, `u` update, `d` delete, `s` search (in that
 * order, e.g. `system/Task.rus`), or the v1 words `read` (r s), `write` (c u d) and `*`.
 */

export const SCOPE_ACCESS = ['c', 'r', 'u', 'd', 's'] as const;
export type ScopeAccess = (typeof SCOPE_ACCESS)[number];

/** Every scope the partner-facing API's routes ask for, grouped by resource type: what a partner system may be offered (FHIR-8). */
export const PARTNER_SCOPES = [
  'system/ServiceRequest.rs',
  'system/Task.rus',
  'system/Patient.rs',
  'system/Consent.rs',
  'system/QuestionnaireResponse.rs',
  'system/MessageHeader.c',
  'system/DiagnosticReport.cr',
  'system/Observation.cr',
] as const;

export interface SystemScope {
  resourceType: string;
  access: ReadonlySet<ScopeAccess>;
}

const V1: Record<string, ScopeAccess[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const SCOPE = /^system\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)$/;

/** One scope, or null when it is not a system scope this server understands. */
export function parseScope(scope: string): SystemScope | null {
  const m = SCOPE.exec(scope);
  if (!m) return null;
  const [, resourceType, perms] = m as unknown as [string, string, string];
  if (V1[perms]) return { resourceType, access: new Set(V1[perms]) };
  // v2: letters from c r u d s, each at most once (SMART writes them in that order; another order means the same).
  const letters = perms.split('');
  if (letters.some((l) => !(SCOPE_ACCESS as readonly string[]).includes(l)) || new Set(letters).size !== letters.length)
    return null;
  return { resourceType, access: new Set(letters as ScopeAccess[]) };
}

/** The scopes in a space-separated list that parse (unknown ones dropped), de-duplicated. */
export function scopeList(value: string): string[] {
  return [...new Set(value.split(/\s+/).filter((s) => s !== '' && parseScope(s) !== null))];
}

/** Does a scope allow this access to this resource type? */
function allowsOne(scope: SystemScope, resourceType: string, access: ScopeAccess): boolean {
  return (scope.resourceType === '*' || scope.resourceType === resourceType) && scope.access.has(access);
}

/** Do any of these scopes allow this access to this resource type? */
export function scopesAllow(scopes: readonly string[], resourceType: string, access: ScopeAccess): boolean {
  return scopes.some((s) => {
    const parsed = parseScope(s);
    return parsed !== null && allowsOne(parsed, resourceType, access);
  });
}

/**
 * The scopes a token is granted: each requested scope narrowed to what the client is registered
 * for. A requested scope wider than the registration is granted only as far as the registration
 * goes (SMART allows a server to grant less); one with nothing left is dropped.
 */
export function grantScopes(requested: readonly string[], registered: readonly string[]): string[] {
  const granted: string[] = [];
  for (const r of requested) {
    const want = parseScope(r);
    if (!want) continue;
    const types =
      want.resourceType === '*'
        ? [...new Set(registered.map((s) => parseScope(s)?.resourceType).filter((t): t is string => !!t))]
        : [want.resourceType];
    for (const type of types) {
      const letters = SCOPE_ACCESS.filter(
        (a) =>
          want.access.has(a) &&
          registered.some((s) => {
            const reg = parseScope(s);
            return reg !== null && (type === '*' ? reg.resourceType === '*' : true) && allowsOne(reg, type, a);
          }),
      );
      if (letters.length) granted.push(`system/${type}.${letters.join('')}`);
    }
  }
  return [...new Set(granted)];
}
