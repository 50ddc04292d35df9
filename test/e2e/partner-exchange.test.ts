import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitWith } from './support/sign-in.js';

/** Issue 6 in the browser: the OH administrator registers an NHS partner's system that will call our FHIR API. */
describe('the partner exchange in the browser', () => {
  const demo = useDemoBrowser();
  const admin = DEMO_ACCOUNTS.find((a) => a.role === 'oh-administrator')!;

  it('when an OH administrator adds a partner system, then a key with its private part is refused beside the field, a public key is taken, and it is listed; every page passes axe', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
    await demo.withPage(admin, async (page) => {
      await page.goto(`${demo.server.baseUrl}/admin/partners`);
      const main = page.locator('main');
      // The demo's sandbox partner is already registered as the health board's system.
      await expect(main.innerText()).resolves.toContain('westshire-sandbox-partner');
      expect(await accessibilityProblems(page, 'the partner directory')).toBe('');
      await submitWith(page, page.getByRole('link', { name: 'Add a partner system' }));
      expect(await accessibilityProblems(page, 'the partner system form')).toBe('');

      await page.getByLabel('NHS partner organisation').selectOption({ index: 1 });
      await page.getByLabel('Name of the system').fill('Board laboratory system');
      await page.getByLabel('Client id').fill('board-laboratory');
      await page
        .getByLabel('Its public keys (a JWKS, or one JWK)')
        .fill(JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES384' }));
      await submitWith(page, page.getByRole('button', { name: 'Save' }));
      await expect(page.locator('.nhsuk-error-summary').innerText()).resolves.toContain('private part');
      expect(await accessibilityProblems(page, 'the partner system form with an error')).toBe('');

      await page
        .getByLabel('Its public keys (a JWKS, or one JWK)')
        .fill(JSON.stringify({ ...(await exportJWK(publicKey)), kid: 'lab-1', alg: 'ES384' }));
      await submitWith(page, page.getByRole('button', { name: 'Save' }));
      expect(new URL(page.url()).pathname).toBe('/admin/partners');
      await expect(
        page.locator('[data-partner-client]', { hasText: 'board-laboratory' }).innerText(),
      ).resolves.toContain('system/Task.rus');
    });
  });
});
