import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../shared/errors.js';
import { WriteQueue } from './sqlite-client.js';

/** The in-process queue SQLite write transactions wait in (issue 14 defect 1). */
describe('WriteQueue', () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('when writers queue, then each runs alone, in the order it came', async () => {
    const queue = new WriteQueue(1_000);
    const log: string[] = [];
    let running = 0;
    const writer = (name: string) =>
      queue.run(async () => {
        running += 1;
        expect(running).toBe(1);
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        running -= 1;
        return name;
      });
    expect(await Promise.all([writer('a'), writer('b'), writer('c')])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('when a writer fails, then the next one still runs', async () => {
    const queue = new WriteQueue(1_000);
    const failing = queue.run(async () => {
      throw new Error('constraint');
    });
    await expect(failing).rejects.toThrow('constraint');
    expect(await queue.run(async () => 'next')).toBe('next');
  });

  it('when a writer waits longer than the limit, then it fails as database-busy (503) and the queue keeps its order', async () => {
    const queue = new WriteQueue(20);
    let finish!: () => void;
    const long = queue.run(() => new Promise<string>((resolve) => (finish = () => resolve('long'))));
    const waiting = queue.run(async () => 'never');
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ code: 'database-busy', status: 503, headers: { 'Retry-After': '5' } });
    const after = queue.run(async () => 'after');
    finish();
    expect(await long).toBe('long');
    expect(await after).toBe('after');
  });
});
