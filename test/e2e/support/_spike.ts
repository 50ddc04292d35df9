import { chromium } from 'playwright-core';
import { startDemoServer } from './demo-server.js';
const t0 = Date.now();
const server = await startDemoServer();
console.log('server up', Date.now() - t0, server.baseUrl);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const ctx = await browser.newContext();
const page = await ctx.newPage();
page.on('console', (m) => console.log('CONSOLE', m.type(), m.text()));
page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
page.on('requestfailed', (r) => console.log('REQFAILED', r.url(), r.failure()?.errorText));
await page.goto(server.baseUrl + '/');
console.log(page.url());
await page.fill('#email', 'officer@westshire.police.test');
await page.fill('#password', 'Blue-Light-Demo-2026');
await Promise.all([page.waitForURL(server.baseUrl + '/'), page.click('button[type=submit]')]);
console.log(await page.textContent('h1'));
console.log(await page.evaluate(() => document.body.className + ' | ' + document.querySelector('.nhsuk-header')?.outerHTML.slice(0, 200)));
// axe via evaluate without bypass
const fs = await import('node:fs');
const src = fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
try { await page.evaluate(src); console.log('evaluate ok', await page.evaluate(() => typeof (window as any).axe)); } catch (e) { console.log('evaluate failed', (e as Error).message.slice(0, 200)); }
try { await page.addScriptTag({ content: src }); console.log('addScriptTag ok'); } catch (e) { console.log('addScriptTag failed', (e as Error).message.slice(0, 200)); }
await browser.close();
await server.stop();
console.log('total', Date.now() - t0);
