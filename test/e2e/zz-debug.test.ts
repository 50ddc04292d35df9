import { it, expect } from 'vitest';
import { launchChromium, watchConsole } from './support/browser.js';
import { startDemoServer } from './support/demo-server.js';
it('debug', async () => {
  const browser = await launchChromium();
  const server = await startDemoServer();
  try {
    const page = await browser.newPage();
    const seen = watchConsole(page);
    await page.goto(server.baseUrl + '/login');
    await page.evaluate(() => { const d = document.createElement('div'); d.innerHTML = '<p style="color:red">x</p><img src="https://example.com/x.png">'; document.body.append(d); });
    await page.waitForTimeout(500);
    console.log(seen.csp);
    expect(seen.csp.length).toBeGreaterThan(0);
  } finally { await browser.close(); await server.stop(); }
}, 120000);
