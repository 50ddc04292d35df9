import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import type AxeCore from 'axe-core';
import type { AxeResults, Result } from 'axe-core';

const require = createRequire(import.meta.url);

/** Debian's Chromium; the e2e suite drives it rather than a browser downloaded by Playwright. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches the system Chromium headless, or fails saying how to install it (never skips). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; the e2e tests need it. Install it with: apt-get install -y chromium`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.0 and 2.1 A/AA rules; "serious" and "critical" results fail a test. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is. The source goes in through the DevTools protocol
 * (page.evaluate), which the page's Content-Security-Policy does not govern, so no
 * context needs bypassCSP and the page is scanned exactly as users receive it.
 */
export async function runAxe(page: Page): Promise<AxeResults> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof AxeCore }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    AXE_TAGS,
  );
}

/** The serious and critical violations only. */
export function blockingViolations(results: AxeResults): Result[] {
  return results.violations.filter((v) => v.impact && BLOCKING_IMPACTS.has(v.impact));
}

/** A failure message a developer can act on: rule, impact, help text and link, and the offending elements. */
export function describeViolations(where: string, violations: Result[]): string {
  if (violations.length === 0) return `${where}: no serious or critical accessibility violations`;
  const lines = violations.map((v) => {
    const nodes = v.nodes
      .map(
        (n) =>
          `      ${n.target.join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`,
      )
      .join('\n');
    return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
  });
  return `${where}: ${violations.length} serious or critical accessibility violation(s)\n${lines.join('\n')}`;
}

/** Scans the page and returns a description of its blocking violations ('' when there are none). */
export async function accessibilityProblems(page: Page, where = page.url()): Promise<string> {
  const blocking = blockingViolations(await runAxe(page));
  return blocking.length ? describeViolations(where, blocking) : '';
}

export interface ConsoleProblem {
  type: string;
  text: string;
  url: string;
}

/**
 * The NHS.UK frontend stylesheet names its Frutiger fonts on assets.nhs.uk, which our
 * font-src 'self' refuses; the text falls back to Arial. These are the only CSP reports we accept.
 */
export function isNhsFontCspReport(text: string): boolean {
  return /Content Security Policy/i.test(text) && /font/i.test(text) && /https:\/\/assets\.nhs\.uk\/fonts\//.test(text);
}

/** Chromium asks for /favicon.ico by itself; the layout names no icon, so that request 404s. */
function isFaviconMiss(message: ConsoleMessage): boolean {
  return (
    message.type() === 'error' &&
    new URL(message.location().url || 'about:blank', 'http://x').pathname === '/favicon.ico'
  );
}

/**
 * Watches a page for Content-Security-Policy reports, console errors and uncaught
 * exceptions. Nothing is filtered except the NHS font reports and the favicon miss above.
 */
export function watchConsole(page: Page): { csp: ConsoleProblem[]; errors: ConsoleProblem[]; logs: ConsoleProblem[] } {
  const seen = { csp: [] as ConsoleProblem[], errors: [] as ConsoleProblem[], logs: [] as ConsoleProblem[] };
  page.on('console', (message) => {
    const problem = { type: message.type(), text: message.text(), url: message.location().url };
    seen.logs.push(problem);
    if (/Content Security Policy/i.test(problem.text)) {
      if (!isNhsFontCspReport(problem.text)) seen.csp.push(problem);
      return;
    }
    if (problem.type === 'error' && !isFaviconMiss(message)) seen.errors.push(problem);
  });
  page.on('pageerror', (error) =>
    seen.errors.push({ type: 'pageerror', text: `${error.name}: ${error.message}`, url: page.url() }),
  );
  return seen;
}

/** One line per console problem, for assertion messages. */
export function listProblems(problems: ConsoleProblem[]): string {
  return problems.map((p) => `  [${p.type}] ${p.text}${p.url ? ` (at ${p.url})` : ''}`).join('\n');
}
