import type { Actor } from '../auth/actor.js';
import type { Locale, Translate } from '../i18n/i18n.js';
import type { Notice } from './notice.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the request-id middleware; logged and recorded in the audit trail. */
      requestId: string;
      /** The caller's own X-Request-Id, sanitised (printable, bounded); kept beside ours, never used as ours. */
      callerRequestId: string | null;
      /** Set by authentication for signed-in requests. */
      actor?: Actor;
      /** Set by the partner-facing FHIR API's authentication: the partner system and its granted scopes. */
      partner?: { clientId: string; organisationId: string; scopes: string[] };
      /** Set for page requests: whether the signed-in user reaches survey campaigns (the Surveys link). */
      surveysInReach?: boolean;
      locale: Locale;
      t: Translate;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    epoch?: number;
    role?: string;
    /** Password checked; second factor still needed. */
    mfaPending?: boolean;
    /** Which pending sign-in this is: its wrong codes are counted (issue 14 defect 8). */
    pendingSignInId?: string;
    /** A TOTP secret being enrolled, until confirmed. */
    enrolSecret?: string;
    flash?: string;
    /** A confirmation banner for the next page shown (web/notice.ts). */
    notice?: Notice;
  }
}

export {};
