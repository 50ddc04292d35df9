import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';

/** One plain email to one recipient. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** What the mailer is asked to send: a message, optionally with its sender and Message-ID. */
export interface OutgoingEmail extends EmailMessage {
  /** Defaults to the configured `MAIL_FROM`. */
  from?: string;
  /** `<id@domain>`; a stable one lets receiving systems drop a duplicate after a retry. */
  messageId?: string;
}

/** Sends email. Failures throw AppError `smtp-unavailable` (worth retrying), `smtp-rejected` (not) or `outbox-unavailable`. */
export interface Mailer {
  send(message: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

// nodemailer's defaults wait up to two minutes to connect and an hour on a silent socket,
// far beyond a job's lease; a URL query (?socketTimeout=…) still overrides these.
const SMTP_DEFAULTS: SMTPTransport.Options = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 60_000,
  dnsTimeout: 10_000,
};

/**
 * The mail transport for `mail`: SMTP when `smtpUrl` is set; otherwise each message is
 * written to `outboxDir` as an `.eml` file (development and demos: nothing leaves the machine).
 */
export function createMailTransport(mail: Config['mail'], options: { clock?: Clock } = {}): Mailer {
  return mail.smtpUrl
    ? smtpMailer(mail.smtpUrl, mail.from)
    : outboxMailer(mail.outboxDir, mail.from, options.clock ?? systemClock);
}

function smtpMailer(smtpUrl: string, defaultFrom: string): Mailer {
  const transport = nodemailer.createTransport({ ...SMTP_DEFAULTS, ...parseConnectionUrl(smtpUrl) });
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(toMailOptions(message, defaultFrom));
        return { messageId: info.messageId };
      } catch (error) {
        throw smtpError(error);
      }
    },
    close: () => transport.close(),
  };
}

function outboxMailer(outboxDir: string, defaultFrom: string, clock: Clock): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async send(message) {
      const info = await transport.sendMail(toMailOptions(message, defaultFrom));
      if (!Buffer.isBuffer(info.message))
        throw new AppError({
          code: 'outbox-unavailable',
          status: 500,
          publicMessage: 'The email could not be written.',
        });
      const name = `${clock
        .now()
        .toISOString()
        .replace(/[^0-9A-Za-z]/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
      const temporary = path.join(outboxDir, `.${name}.partial`);
      try {
        // Emails hold personal data: owner-only permissions. Written under a temporary
        // name and renamed, so anything watching the folder never reads half a message.
        await fs.mkdir(outboxDir, { recursive: true, mode: 0o700 });
        await fs.writeFile(temporary, info.message, { mode: 0o600, flag: 'wx' });
        await fs.rename(temporary, path.join(outboxDir, name));
      } catch (error) {
        await fs.rm(temporary, { force: true }).catch(() => undefined);
        throw new AppError({
          code: 'outbox-unavailable',
          status: 500,
          publicMessage: 'The email could not be written.',
          cause: error,
        });
      }
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

function toMailOptions(message: OutgoingEmail, defaultFrom: string) {
  return {
    from: message.from ?? defaultFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
  };
}

/** Classifies a nodemailer failure: a 5xx refusal of the envelope or message is permanent; anything else may pass on a retry. */
function smtpError(error: unknown): AppError {
  const e = error as { code?: unknown; responseCode?: unknown } | null;
  const rejected =
    (e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE') && typeof e.responseCode === 'number' && e.responseCode >= 500;
  return rejected
    ? new AppError({
        code: 'smtp-rejected',
        status: 502,
        publicMessage: 'The mail server refused the email.',
        cause: error,
      })
    : new AppError({
        code: 'smtp-unavailable',
        status: 503,
        publicMessage: 'The mail server could not be reached.',
        cause: error,
      });
}
