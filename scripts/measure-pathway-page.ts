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
  // The richest: most referrals, then most history, then most steps; ties broken by the person's staff number,
  // which the demo seeds deterministically (ids are random), so every run measures the same pathway.
  const count = (table: string) =>
    db(table).select('pathway_id').count({ n: '*' }).groupBy('pathway_id') as unknown as Promise<
      Array<{ pathway_id: string; n: number | string }>
    >;
  const tally = async (table: string) => new Map((await count(table)).map((r) => [r.pathway_id, Number(r.n)]));
  const [steps, events, referrals] = await Promise.all(
    ['pathway_steps', 'pathway_events', 'pathway_referrals'].map(tally),
  );
  const pathways = (await db('pathways')
    .join('people', 'people.id', 'pathways.person_id')
    .select('pathways.id', 'people.staff_number')) as Array<{ id: string; staff_number: string }>;
  const key = (p: { id: string }) => [referrals!.get(p.id) ?? 0, events!.get(p.id) ?? 0, steps!.get(p.id) ?? 0];
  pathways.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return a.staff_number < b.staff_number ? -1 : 1;
  });
  const top = pathways[0];
  if (!top) throw new Error('the demo has no pathway');
  const richest = [
    top.id,
    { staffNumber: top.staff_number, referrals: key(top)[0], events: key(top)[1], steps: key(top)[2] },
  ] as const;
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
    console.log(JSON.stringify({ ...richest[1], width, ...size }));
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
