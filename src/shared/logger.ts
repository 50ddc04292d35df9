import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured logs. Nothing personal is logged: request bodies, query strings and
 * cookies never reach the log, and the redact list is a second line of defence for
 * any object that slips through.
 */
export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}): Logger {
  const config: LoggerOptions = {
    level: options.level,
    base: { service: 'blue-light-pathways' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.nhsNumber',
        '*.dateOfBirth',
        '*.givenName',
        '*.familyName',
        '*.email',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(config, options.destination as never) : pino(config);
}
