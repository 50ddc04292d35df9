/**
 * Measures the pathway page (issue 15 §3): the demo's richest pathway (most steps, history and
 * referrals), as its OH clinician sees it, at 1280 px and 320 px wide. Prints the page's height
 * (document.body.scrollHeight) and whether it scrolls sideways. `npx tsx scripts/measure-pathway-page.ts`
 */
import { DEMO_ACCOUNTS } from '../src/demo/demo-data.js';
import { launchChromium } from '../test/e2e/support/browser.js';
import { startDemoServer } from '../test/e2e/support/demo-server.js';
import { signInThroughTheForms } from '../test/e2e/support/sign-in.js';

const server = await startDemoServer();
const browser = await launchChromium();
try {
  const db = server.platform.db;
  const count = (table: string) => db(table).select('pathway_id').count({ n: '*' }).groupBy('pathway_id');
  const score = new Map<string, number>();
  for (const [table, weight] of [
    ['pathway_steps', 1],
    ['pathway_events', 1],
    ['pathway_referrals', 5],
  ] as const) {
    for (const row of (await count(table)) as Array<{ pathway_id: string; n: number | string }>)
      score.set(row.pathway_id, (score.get(row.pathway_id) ?? 0) + Number(row.n) * weight);
  }
  const [richest] = [...score.entries()].sort((a, b) => b[1] - a[1]);
  if (!richest) throw new Error('the demo has no pathway');
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInThroughTheForms(page, server.baseUrl, clinician);
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${server.baseUrl}/pathways/${richest[0]}`);
    const size = await page.evaluate(() => ({
      height: document.body.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    console.log(JSON.stringify({ pathway: richest[0], weight: richest[1], width, ...size }));
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
