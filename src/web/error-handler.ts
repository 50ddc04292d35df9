import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../shared/logger.js';
import { AppError, isAppError } from '../shared/errors.js';
import { renderPage } from './render.js';
import { operationOutcomeOf } from '../fhir/core/operation-outcome.js';

/** Body-parser and other library errors that are the caller's fault, mapped to our codes. */
function fromLibraryError(error: unknown): AppError | null {
  const e = error as { type?: string; status?: number; statusCode?: number; code?: string; expose?: boolean };
  if (e?.code === 'EBADCSRFTOKEN') {
    return new AppError({
      code: 'form-expired',
      status: 403,
      publicMessage: 'This form has expired or was not sent from this site. Go back, reload the page and try again.',
    });
  }
  // The router decodes path parameters with decodeURIComponent; a badly encoded one (`/pathways/%ff`) throws a
  // URIError it marks 400 but not `expose`. It is the caller's address that is wrong, whichever route it matched.
  if (error instanceof URIError) {
    return new AppError({
      code: 'malformed-url',
      status: 400,
      publicMessage: 'The address is not valid: it contains a badly encoded character.',
    });
  }
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError({
        code: 'malformed-json',
        status: 400,
        publicMessage: 'The request body is not well-formed JSON.',
      });
    case 'entity.too.large':
      return new AppError({ code: 'payload-too-large', status: 413, publicMessage: 'The request body is too large.' });
    case 'parameters.too.many':
      return new AppError({
        code: 'too-many-parameters',
        status: 413,
        publicMessage: 'The request has too many parameters.',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError({
        code: 'unsupported-encoding',
        status: 415,
        publicMessage: 'The request body encoding is not supported.',
      });
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError({ code: 'bad-request', status: 400, publicMessage: 'The request was incomplete.' });
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && e?.expose) {
    return new AppError({ code: 'bad-request', status, publicMessage: 'The request could not be processed.' });
  }
  return null;
}

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path === '/api';
}

/** The partner-facing FHIR API answers errors as OperationOutcome (issue 6 §4). */
function wantsFhir(req: Request): boolean {
  return req.path.startsWith('/fhir/') || req.path === '/fhir';
}

function sendError(req: Request, res: Response, error: AppError): void {
  if (error.headers) for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
  if (wantsFhir(req)) {
    res
      .status(error.status)
      .type('application/fhir+json')
      .send(JSON.stringify(operationOutcomeOf(error)));
    return;
  }
  if (wantsJson(req)) {
    res.status(error.status).json({
      error: { code: error.code, message: error.publicMessage, ...(error.fields ? { fields: error.fields } : {}) },
    });
    return;
  }
  const view = error.status === 404 ? 'errors/not-found' : error.status === 403 ? 'errors/forbidden' : 'errors/error';
  renderPage(
    req,
    res,
    view,
    { error: { code: error.code, status: error.status, message: error.publicMessage }, requestId: req.requestId },
    error.status,
  );
}

/** The 404 for anything no route matched. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(
    req,
    res,
    new AppError({ code: 'not-found', status: 404, publicMessage: 'There is nothing at this address.' }),
  );
};

/**
 * The one error handler. Known errors render with their status and code; anything else
 * is a 500 with only the request id: no stack, SQL or personal data leaves the server,
 * and the log carries the error class and request id, not the message.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const known = isAppError(error) ? error : fromLibraryError(error);
    if (known) {
      sendError(req, res, known);
      return;
    }
    // Log the class, code and stack frames (code locations) but never the message, which may quote data.
    const err = error as { name?: string; code?: string; stack?: string; safeDetails?: unknown };
    logger.error(
      {
        requestId: req.requestId,
        ...(req.callerRequestId ? { callerRequestId: req.callerRequestId } : {}),
        errorClass: err?.name ?? typeof error,
        errorCode: err?.code,
        // Only errors that say so carry details safe to log (StoredDataError: a column and paths).
        ...(err?.safeDetails ? { details: err.safeDetails } : {}),
        frames: err?.stack
          ?.split('\n')
          .slice(1, 6)
          .map((l) => l.trim()),
      },
      'unhandled error',
    );
    try {
      sendError(
        req,
        res,
        new AppError({
          code: 'internal-error',
          status: 500,
          publicMessage: `Something went wrong on our side. Quote reference ${req.requestId} if you contact support.`,
        }),
      );
    } catch {
      res.status(500).type('text/plain').send(`Internal error. Reference ${req.requestId}`);
    }
  };
}
