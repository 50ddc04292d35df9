import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { DemoAccount } from '../../../src/demo/demo-data.js';
import { launchChromium } from './browser.js';
import { startDemoServer, type DemoServer, type DemoServerOptions } from './demo-server.js';
import { signInThroughTheForms } from './sign-in.js';

/** Who `withPage` signs in before the journey: any account the sign-in forms accept. */
export type SignInAs = Pick<DemoAccount, 'email' | 'mfa'>;

/** What a browser-test file uses: the demo server and Chromium of its describe block, and fresh pages. */
export interface DemoBrowser {
  /** The demo server of this describe block (only inside tests and hooks). */
  readonly server: DemoServer;
  /** The Chromium of this describe block (only inside tests and hooks). */
  readonly browser: Browser;
  /**
   * Runs `journey` on a page in a new browser context (no cookies, CSP enforced), signed in
   * through the forms as `account` first if one is given; the context is closed however the
   * journey ends. Resolves to what the journey returns.
   */
  withPage<T>(journey: (page: Page) => Promise<T>): Promise<T>;
  withPage<T>(account: SignInAs | undefined, journey: (page: Page) => Promise<T>): Promise<T>;
}

/**
 * Registers `beforeAll` / `afterAll` hooks, in the calling describe block, that launch
 * Chromium and start the demo server (on a fresh database) and close both afterwards.
 * Call it once at the top of the describe block. `options` go to `startDemoServer` (e.g.
 * `{ sandbox: true }` for the sandbox NHS partner and the job runner).
 */
export function useDemoBrowser(options: DemoServerOptions = {}): DemoBrowser {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // Started side by side; if either fails, afterAll still closes the one that started.
    const [launched, started] = await Promise.allSettled([launchChromium(), startDemoServer(options)]);
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      // The server (and any sandbox partner process it started) goes even if the browser would not close.
      await server?.stop();
      browser = undefined;
      server = undefined;
    }
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(
        `useDemoBrowser: the ${what} is not running; use it inside a test or hook of the describe block that called useDemoBrowser()`,
      );
    return value;
  };

  async function withPage<T>(
    ...args: [(page: Page) => Promise<T>] | [SignInAs | undefined, (page: Page) => Promise<T>]
  ): Promise<T> {
    const [account, journey] = args.length === 1 ? [undefined, args[0]] : args;
    const context = await started(browser, 'browser').newContext();
    try {
      const page = await context.newPage();
      if (account) await signInThroughTheForms(page, started(server, 'demo server').baseUrl, account);
      return await journey(page);
    } finally {
      await context.close();
    }
  }

  return {
    get server() {
      return started(server, 'demo server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    withPage,
  };
}
