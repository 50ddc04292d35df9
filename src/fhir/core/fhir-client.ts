import { createRequire } from 'node:module';
import { Client } from 'fhir-kit-client';

interface DebugModule {
  enable(namespaces: string): void;
  disable(): string;
  enabled(namespace: string): boolean;
}

/** The `debug` module fhir-kit-client logs through (the same instance it loads). */
const debug = createRequire(import.meta.resolve('fhir-kit-client'))('debug') as DebugModule;

/**
 * fhir-kit-client logs request headers (our bearer tokens) and response bodies (health data) when
 * DEBUG names it: whatever DEBUG says, its loggers stay off. Other libraries' debugging is untouched.
 */
export function silenceFhirClientLogging(): void {
  const current = debug.disable();
  debug.enable([current, '-fhir-kit-client:*'].filter(Boolean).join(','));
}

silenceFhirClientLogging();

/** A fhir-kit-client for a partner's base URL with our headers; its logging is silenced. */
export function fhirClient(baseUrl: string, headers: Record<string, string> = {}): Client {
  return new Client({ baseUrl, customHeaders: headers });
}

export { debug as fhirClientDebug };
