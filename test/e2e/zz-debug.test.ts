import { it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { launchChromium, runAxe } from './support/browser.js';
import { startDemoServer } from './support/demo-server.js';
import { signInThroughTheForms } from './support/sign-in.js';
it('debug', async () => {
  const server = await startDemoServer();
  const browser = await launchChromium();
  for (const account of DEMO_ACCOUNTS) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signInThroughTheForms(page, server.baseUrl, account);
    const links = await page.locator('nav.nhsuk-header__navigation a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    console.log(account.email, links);
    for (const p of ['/', ...links.filter((l) => l !== '/'), '/account', '/nope']) {
      const r = await page.goto(server.baseUrl + p!);
      const res = await runAxe(page);
      console.log('  ', p, r?.status(), res.violations.map((v) => `${v.id}:${v.impact}:${v.nodes.length}`).join(' '), 'passes', (res as any).passes?.length, 'incomplete', res.incomplete?.length);
    }
    await ctx.close();
  }
  const page = await browser.newPage();
  await page.setContent('<html><body><img src="x.png"><a href="#"></a><input></body></html>');
  const res = await runAxe(page);
  console.log('BAD', res.violations.map((v) => `${v.id}:${v.impact}`));
  await browser.close(); await server.stop();
}, 120000);
