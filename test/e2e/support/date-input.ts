import type { Page } from 'playwright-core';

/** Types an ISO date (YYYY-MM-DD) into an NHS.UK date input's day, month and year boxes (issue 15 §6). */
export async function fillDate(page: Page, name: string, iso: string): Promise<void> {
  const [year, month, day] = iso.split('-');
  await page.locator(`input[name="${name}-day"]`).fill(String(Number(day)));
  await page.locator(`input[name="${name}-month"]`).fill(String(Number(month)));
  await page.locator(`input[name="${name}-year"]`).fill(year!);
}

/** The ISO date an NHS.UK date input holds, as the boxes show it. */
export async function dateValue(page: Page, name: string): Promise<string> {
  const part = (p: string) => page.locator(`input[name="${name}-${p}"]`).inputValue();
  const [day, month, year] = [await part('day'), await part('month'), await part('year')];
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}
