import type { Page } from 'playwright-core';
import type { RouteDefinition } from '../../../src/web/route-registry.js';
import { accessibilityProblems } from './browser.js';

/** The narrowest width WCAG 1.4.10 (reflow) asks a page to work at without scrolling sideways, and a desktop width. */
export const NARROW = { width: 320, height: 640 };
export const WIDE = { width: 1280, height: 800 };

/**
 * Sets the viewport and lets the page settle: the NHS.UK header moves navigation items that no
 * longer fit into its "More" menu on the next animation frame after a resize.
 */
export async function resizeTo(page: Page, size: { width: number; height: number }): Promise<void> {
  const current = page.viewportSize();
  if (current?.width === size.width && current.height === size.height) return;
  await page.setViewportSize(size);
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

/** A GET page route of the registry, as a pattern a visited address is matched against. */
export interface PagePattern {
  path: string;
  regex: RegExp;
  /** Literal segments first: /people/new is matched before /people/:id. */
  params: number;
}

/** The registry's GET page routes (kind `page`), most literal first. */
export function pagePatterns(routes: readonly RouteDefinition[]): PagePattern[] {
  return routes
    .filter((r) => r.kind === 'page' && r.method === 'get')
    .map((r) => {
      const segments = r.path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : escapeRegex(s)));
      return { path: r.path, regex: new RegExp(`^${segments.join('/')}$`), params: (r.path.match(/:/g) ?? []).length };
    })
    .sort((a, b) => a.params - b.params);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The route pattern an address belongs to (its path only), or undefined when it is no page route. */
export function patternOf(patterns: PagePattern[], address: string): string | undefined {
  const pathname = new URL(address, 'http://x').pathname;
  return patterns.find((p) => p.regex.test(pathname))?.path;
}

/**
 * '' when the page does not scroll sideways at the current viewport; otherwise a description
 * naming the widths and the elements that stick out furthest (each the outermost of its own
 * overflow: an element that sticks out while its parent does not), so the cause can be found.
 */
export async function sidewaysScroll(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return '';
    const limit = root.clientWidth;
    const describe = (el: Element): string => {
      const id = el.id ? `#${el.id}` : '';
      const classes = Array.from(el.classList)
        .map((c) => `.${c}`)
        .join('');
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
      return `<${el.tagName.toLowerCase()}${id}${classes}>${text ? ` "${text}"` : ''}`;
    };
    const offenders: { el: Element; right: number; width: number }[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= limit + 0.5) continue;
      const parent = el.parentElement;
      const parentBox = parent?.getBoundingClientRect();
      if (parent && parent !== document.body && parentBox && parentBox.right > limit + 0.5) continue;
      offenders.push({ el, right: Math.round(box.right), width: Math.round(box.width) });
    }
    offenders.sort((a, b) => b.right - a.right);
    const list = offenders
      .slice(0, 5)
      .map((o) => `    ${describe(o.el)}: ${o.width} px wide, right edge at ${o.right} px`)
      .join('\n');
    return `scrollWidth ${root.scrollWidth} px > clientWidth ${root.clientWidth} px; widest:\n${list || '    (no element found)'}`;
  });
}

/**
 * The addresses a page links to from its header (navigation, account) and main content that are
 * pages to look at: same origin, not assets, downloads, CSV or exports.
 */
export async function pageLinks(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator('header a[href], main a[href]')
    .evaluateAll((anchors) =>
      anchors.filter((a) => !a.hasAttribute('download')).map((a) => a.getAttribute('href') ?? ''),
    );
  return [
    ...new Set(
      hrefs
        .filter((href) => href.startsWith('/') && !href.startsWith('//'))
        .map((href) => href.split('#')[0]!)
        .filter((href) => href && !/^\/(assets|api|fhir)\//.test(href) && !/(\.csv|\/export)(\?|$)/.test(href)),
    ),
  ];
}

/**
 * The page loaded at 320 px, as a phone loads it, then widened to 1280 px: at each width, whether it
 * scrolls sideways and what axe finds. The problems found, none being an empty list; left at 1280 px.
 */
export async function checkBothWidths(page: Page, where: string): Promise<string[]> {
  const problems: string[] = [];
  for (const size of [NARROW, WIDE]) {
    await resizeTo(page, size);
    const overflow = await sidewaysScroll(page);
    if (overflow) problems.push(`${where} at ${size.width} px scrolls sideways: ${overflow}`);
    const axe = await accessibilityProblems(page, `${where} at ${size.width} px`);
    if (axe) problems.push(axe);
  }
  return problems;
}
