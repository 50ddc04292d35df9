import type { Request } from 'express';

/**
 * Confirmation banners (issue 15 §4). A page action that succeeds calls `notify` before it
 * redirects: the next page the reader sees opens with an NHS.UK success banner saying what
 * happened (`heading`) and what comes next (`next`), in the reader's language, once.
 * Keys are locale keys under `notices.`; values fill them (and `count` picks the plural).
 */
export interface Notice {
  heading: string;
  next?: string;
  values?: Record<string, string | number>;
}

export function notify(req: Request, notice: Notice): void {
  if (req.session) req.session.notice = notice;
}

/** The banner's words for the page being rendered, taken from the session so it shows once. */
export function takeNotice(req: Request): { heading: string; next?: string } | undefined {
  const notice = req.session?.notice;
  if (!notice) return undefined;
  delete req.session.notice;
  return {
    heading: req.t(notice.heading, notice.values),
    next: notice.next ? req.t(notice.next, notice.values) : undefined,
  };
}
