/**
 * Typed application errors. Every error that reaches a user carries a stable `code`
 * (never match on message text) and a public message that is safe to show: no SQL,
 * no stack, no health data. The web error handler turns these into HTML, JSON or
 * FHIR OperationOutcome.
 */
import { inEnglish, type FieldMessages } from './error-messages.js';

/** Each field's problem as an English sentence: what the JSON API gives in `error.fields`. */
export type FieldErrors = Record<string, string>;

export interface AppErrorOptions {
  code: string;
  status: number;
  publicMessage: string;
  /** Each field's problem: a sentence, or a message for the reader's language (error-messages.ts). */
  fields?: FieldMessages;
  cause?: unknown;
  headers?: Record<string, string>;
}

/** Base class for every error the platform raises on purpose. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly publicMessage: string;
  readonly fields: FieldErrors | undefined;
  /** The same problems, for a page to put in its reader's language. */
  readonly messages: FieldMessages | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(options: AppErrorOptions) {
    super(options.publicMessage, { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.status = options.status;
    this.publicMessage = options.publicMessage;
    this.fields = options.fields && inEnglish(options.fields);
    this.messages = options.fields;
    this.headers = options.headers;
  }
}

/** 400: the request could not be read at all (malformed JSON, bad encoding). */
export class BadRequestError extends AppError {
  constructor(code: string, publicMessage: string, cause?: unknown) {
    super({ code, status: 400, publicMessage, cause });
  }
}

/** 422: the request was read but its content is not acceptable. */
export class ValidationError extends AppError {
  constructor(
    fields: FieldMessages,
    publicMessage = 'Some of the information given is not valid.',
    code = 'validation-failed',
  ) {
    super({ code, status: 422, publicMessage, fields });
  }
}

/** 401: no valid credentials. */
export class UnauthenticatedError extends AppError {
  constructor(code = 'unauthenticated', publicMessage = 'You need to sign in to do that.') {
    super({ code, status: 401, publicMessage });
  }
}

/** 403: authenticated, but this role may not use this route at all. */
export class ForbiddenError extends AppError {
  constructor(code = 'forbidden', publicMessage = 'You do not have permission to do that.') {
    super({ code, status: 403, publicMessage });
  }
}

/**
 * 404: the record does not exist *or* lies outside the caller's reach. The two cases are
 * deliberately indistinguishable so that nothing leaks whether a record exists.
 */
export class NotFoundError extends AppError {
  constructor(what = 'record') {
    super({ code: 'not-found', status: 404, publicMessage: `The ${what} was not found.` });
  }
}

/** 409: the request conflicts with existing state (duplicate staff number, etc.). */
export class ConflictError extends AppError {
  constructor(code: string, publicMessage: string, fields?: FieldMessages) {
    super({ code, status: 409, publicMessage, ...(fields ? { fields } : {}) });
  }
}

/** 429: too many attempts. */
export class TooManyRequestsError extends AppError {
  constructor(code: string, publicMessage: string, retryAfterSeconds?: number) {
    super({
      code,
      status: 429,
      publicMessage,
      ...(retryAfterSeconds ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {}),
    });
  }
}

/**
 * A row the platform wrote no longer matches its schema (a JSON column read by `readJson`). Not an
 * AppError: it is our fault, answered as a 500 with only the request id, and logged with the column
 * and the paths that failed (`safeDetails`), never the values, which may be health data.
 */
export class StoredDataError extends Error {
  readonly code = 'stored-data-invalid';
  readonly safeDetails: { column: string; paths: string[] };

  constructor(column: string, paths: string[]) {
    super(`Stored data in ${column} does not match its schema`);
    this.name = 'StoredDataError';
    this.safeDetails = { column, paths: [...new Set(paths)].slice(0, 10) };
  }
}

/** 503: the platform cannot take this now (the database is busy); try again after Retry-After. */
export class ServiceUnavailableError extends AppError {
  constructor(code: string, publicMessage: string, retryAfterSeconds: number) {
    super({ code, status: 503, publicMessage, headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}

/** True when `error` is one of ours. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
