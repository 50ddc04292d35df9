/**
 * Thrown by a handler when trying again cannot help (the recipient does not exist, the
 * partner refused the document for good): the job fails at once instead of retrying.
 * `code` is recorded; keep it free of personal data.
 */
export class PermanentJobError extends Error {
  readonly code: string;

  constructor(code: string, options?: { cause?: unknown }) {
    super(`Job failed permanently: ${code}`, options);
    this.name = 'PermanentJobError';
    this.code = code;
  }
}

/**
 * Thrown by a handler when the other side asked to be tried again no sooner than `afterMs`
 * (HTTP 429 or 503 with Retry-After): the retry waits at least that long, and longer when the
 * backoff says so.
 */
export class RetryLaterError extends Error {
  readonly code: string;

  constructor(
    code: string,
    readonly afterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`Retry later: ${code}`, options);
    this.name = 'RetryLaterError';
    this.code = code;
  }
}

const SAFE = /[^A-Za-z0-9_.:-]/g;

/**
 * A summary of `error` that is safe to store and log: its class name and its `code`
 * property, if any (`AppError:smtp-unavailable`). Never the message, which may quote a
 * person's name, email address or health details.
 */
export function summariseError(error: unknown): string {
  if (error === null || typeof error !== 'object') return 'NonError';
  const className = clean(error.constructor?.name) || 'Error';
  const code = (error as { code?: unknown }).code;
  const safeCode = typeof code === 'string' || typeof code === 'number' ? clean(String(code)) : '';
  return safeCode ? `${className}:${safeCode}` : className;
}

function clean(value: string | undefined): string {
  return (value ?? '').replace(SAFE, '').slice(0, 100);
}
