import type { Locator, Page } from 'playwright-core';
import { totpCode } from '../../../src/auth/totp.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, type DemoAccount } from '../../../src/demo/demo-data.js';

const TOTP_STEP_MS = 30_000;

/** The last TOTP step each user spent, per server: the server refuses a step it has already accepted. */
const spentSteps = new Map<string, number>();

/**
 * A code for a step this user has not spent yet. Codes are computed from real time (the
 * server runs on the system clock too); if this user already spent the current step, wait
 * for the next 30-second boundary rather than replay the code.
 */
async function freshTotpCode(baseUrl: string, email: string): Promise<string> {
  const key = `${baseUrl} ${email}`;
  const spent = spentSteps.get(key);
  if (spent !== undefined) {
    const nextStepAt = (spent + 1) * TOTP_STEP_MS;
    const wait = nextStepAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 250));
  }
  const now = new Date();
  spentSteps.set(key, Math.floor(now.getTime() / TOTP_STEP_MS));
  return totpCode(DEMO_TOTP_SECRET, now);
}

/**
 * Presses a button that submits a form and waits until the page that comes back (after
 * any redirect) has loaded. Works whether or not the address changes, so a form that
 * re-renders with errors at the same address is waited for too.
 */
export async function submitWith(page: Page, button: Locator): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  try {
    await button.click();
  } catch (error) {
    // The click failed, so no navigation will come: report that, not a second timeout later.
    navigated.catch(() => undefined);
    throw error;
  }
  await navigated;
  await page.waitForLoadState('load');
}

/** Fills and sends the sign-in form on the current page (the login page). */
export async function submitCredentials(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await submitWith(page, page.locator('form[action="/login"] button[type="submit"]'));
}

/** Fills and sends the MFA form with a fresh code for this user. */
export async function submitSecondFactor(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.locator('#code').fill(await freshTotpCode(baseUrl, email));
  await submitWith(page, page.locator('form[action="/login/mfa"] button[type="submit"]'));
}

/**
 * Signs in the way a person does: open the service, be sent to the sign-in page, enter
 * the demo password and, for roles that need it, the authenticator code. Ends on the home page.
 */
export async function signInThroughTheForms(
  page: Page,
  baseUrl: string,
  account: Pick<DemoAccount, 'email' | 'mfa'>,
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL((url) => url.pathname === '/login');
  await submitCredentials(page, account.email);
  if (account.mfa) {
    await page.waitForURL((url) => url.pathname === '/login/mfa');
    await submitSecondFactor(page, baseUrl, account.email);
  }
  await page.waitForURL((url) => url.pathname === '/');
  await page.waitForLoadState('load');
}
