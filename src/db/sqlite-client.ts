import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { ServiceUnavailableError } from '../shared/errors.js';

/**
 * The SQLite client every SQLite database of the platform uses (issue 14 defect 1).
 *
 * SQLite lets one connection write at a time. A transaction that begins DEFERRED takes a read
 * lock at its first read and must upgrade it at its first write; if another connection wrote in
 * between, the upgrade fails at once with SQLITE_BUSY — `busy_timeout` does not wait for it,
 * because waiting could never succeed. Four clients recording absences at once turned that into
 * 500s. So here, once for every service:
 *
 * - every top-level transaction begins IMMEDIATE: it holds the write lock from its first statement,
 *   and nothing it read can go stale under it;
 * - the platform's own write transactions queue for that lock in the process (one at a time, in
 *   order) instead of polling for it in `busy_timeout`'s sleeps, and without holding a pooled
 *   connection while they wait, so reads go on beside them;
 * - a transaction asked for with `{ readOnly: true }` begins DEFERRED and does not queue;
 * - nested transactions are savepoints inside their parent, as before.
 *
 * `busy_timeout` still covers other processes (the CLI, a second server) on the same file. A write
 * transaction that waits longer than `WRITE_QUEUE_TIMEOUT_MS` for its turn fails with 503
 * `database-busy` (Retry-After), never a 500: that also ends the wait of a transaction opened, by
 * mistake, inside another one's callback on the database rather than on its `trx`.
 */
export const WRITE_QUEUE_TIMEOUT_MS = 15_000;

interface TransactionInternals {
  outerTx: unknown;
  readOnly?: boolean;
  client: { writeQueue?: WriteQueue };
  query(conn: unknown, sql: string): Promise<unknown>;
  _evaluateContainer(config: unknown, container: unknown): Promise<unknown>;
}
type TransactionClass = new (...args: unknown[]) => TransactionInternals;
type ClientClass = new (config: Knex.Config) => { transaction(...args: unknown[]): unknown };

const require = createRequire(import.meta.url);
const SqliteClient = require('knex/lib/dialects/sqlite3/index.js') as ClientClass;
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;

/** One writer at a time, first come first served; a waiter gives up after `timeoutMs`. */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  waiting = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Runs `work` when every write queued before it has finished. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.tail = previous.then(() => done);
    this.waiting += 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        previous,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(
              new ServiceUnavailableError('database-busy', 'The system is busy. Please try again in a moment.', 5),
            );
          }, this.timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (error) {
      // Our turn is passed on when the writer before us finishes, so the queue keeps its order.
      void previous.then(release);
      throw error;
    } finally {
      clearTimeout(timer);
      this.waiting -= 1;
    }
    try {
      return await work();
    } finally {
      release();
    }
  }
}

class ImmediateTransaction extends SqliteTransaction {
  override _evaluateContainer(config: unknown, container: unknown): Promise<unknown> {
    const queue = this.client.writeQueue;
    if (this.outerTx || this.readOnly || !queue) return super._evaluateContainer(config, container);
    return queue.run(() => super._evaluateContainer(config, container));
  }

  begin(conn: unknown): Promise<unknown> {
    return this.query(conn, this.readOnly ? 'BEGIN DEFERRED;' : 'BEGIN IMMEDIATE;');
  }
}

/** knex's sqlite3 client with IMMEDIATE write transactions queued in the process (see above). */
export class ImmediateSqliteClient extends SqliteClient {
  readonly writeQueue = new WriteQueue(WRITE_QUEUE_TIMEOUT_MS);

  override transaction(...args: unknown[]): unknown {
    return new ImmediateTransaction(this, ...args);
  }
}
