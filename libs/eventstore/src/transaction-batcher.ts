import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import { signalCommitted } from './commit-signal';
import { isDatabaseUnavailable } from './connection';
import { isTransientConflict } from './transaction';

export interface TransactionBatcherOptions<Item, Result, Shared> {
  readonly pool: Pool;
  /** Most items one transaction takes (default 50). */
  readonly maxItems?: number;
  /**
   * Transactions running at once (default 1). Items submitted while they run wait and go together into the next one:
   * the busier it is, the bigger the batches, with no waiting added when it is idle (group commit).
   */
  readonly concurrency?: number;
  /**
   * Once per transaction, after `BEGIN` and before any item: what its items share (their aggregates read in one query).
   * Reads only; a failure fails the whole transaction (see {@link TransactionBatcher}).
   */
  readonly prepare?: (items: readonly Item[], tx: PoolClient) => Promise<Shared>;
  /** One item, in its own savepoint when the transaction has several: a failure undoes its writes only. */
  readonly run: (item: Item, tx: PoolClient, shared: Shared) => Promise<Result>;
  /**
   * True when `run` writes nothing — it reads, and leaves what it decided in `shared` for `finish` to write (events in
   * a deferring `StreamSession`, bookings), dropping an item's share itself when the item fails: items then run
   * without a savepoint each (one round trip less per item). A failed item has nothing to undo; when its failure was a
   * statement's (which aborts the transaction), the whole transaction fails and its items run again each alone.
   */
  readonly itemsOnlyRead?: boolean;
  /**
   * Once per transaction, after its items and before `COMMIT`: writes the items that succeeded gathered in `shared`
   * to be written together. A failure fails the whole transaction.
   */
  readonly finish?: (tx: PoolClient, shared: Shared) => Promise<void>;
  /**
   * The order a transaction runs its items in (default: as submitted). Items that lock rows of different aggregates
   * are best run in the order of those aggregates: transactions taking such locks in one order cannot deadlock.
   */
  readonly order?: (a: Item, b: Item) => number;
  /** Transactions an item may lose to a transient conflict before its caller gets the conflict (default 5). */
  readonly maxAttempts?: number;
}

type Outcome<Item, Result> =
  | { readonly entry: Entry<Item, Result>; readonly ok: true; readonly result: Result }
  | { readonly entry: Entry<Item, Result>; readonly ok: false; readonly error: unknown };

interface Entry<Item, Result> {
  readonly item: Item;
  /** The submitter's trace context: its item runs in it (its spans and the events it decides join its trace). */
  readonly context: Context;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
  attempts: number;
  /** Run in a transaction of its own (its batch failed as a whole). */
  alone: boolean;
}

/**
 * Group commit: items submitted one by one (webhook calls, each awaiting its answer) are run together, many per
 * transaction, and each submitter is answered once the transaction that ran its item committed. One `BEGIN`,
 * `prepare` and `COMMIT` (one WAL flush) serve the whole batch.
 *
 * Failures stay with their item: each item runs in its own savepoint, so an item that throws is rolled back alone and
 * its submitter gets the error, while the others commit. An item that lost a race (a version conflict only a new
 * transaction can solve, a deadlock, a serialization failure) goes into the next transaction, up to `maxAttempts`.
 * When the transaction fails as a whole (`prepare`, `finish`, the commit, the connection, or an item's statement when
 * items only read), nothing of it committed: after a transient conflict (a deadlock, a serialization failure, a version
 * conflict) its items are run again together, otherwise each is run again in a transaction of its own, so an item that
 * breaks the commit (a deferred constraint) fails alone. No item is ever committed twice: an item's
 * submitter is answered exactly once, after the one transaction that committed it, or with its error.
 *
 * @example
 * ```ts
 * const confirmations = new TransactionBatcher({
 *   pool,
 *   prepare: (items, tx) => readAggregates(items, tx),
 *   run: (item, tx, aggregates) => record(item, aggregates, tx),
 * });
 * await confirmations.submit(webhookBody); // resolves once committed
 * ```
 */
export class TransactionBatcher<Item, Result, Shared = undefined> {
  private readonly queue: Array<Entry<Item, Result>> = [];
  private running = 0;

  constructor(private readonly options: TransactionBatcherOptions<Item, Result, Shared>) {}

  /** Runs `item` in the next transaction; resolves with its result once that transaction committed. */
  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, context: context.active(), resolve, reject, attempts: 0, alone: false });
      // The batch's own work (its transaction, `prepare`, `finish`) belongs to no one submitter's trace.
      context.with(ROOT_CONTEXT, () => this.pump());
    });
  }

  private pump(): void {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    const maxItems = Math.max(1, this.options.maxItems ?? 50);
    while (this.running < concurrency && this.queue.length > 0) {
      const first = this.queue[0]!;
      const batch = first.alone ? this.queue.splice(0, 1) : this.takeTogether(maxItems);
      const order = this.options.order;
      if (order) batch.sort((a, b) => order(a.item, b.item));
      this.running += 1;
      void this.runBatch(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  /** Up to `maxItems` waiting items that may share a transaction, in submission order. */
  private takeTogether(maxItems: number): Array<Entry<Item, Result>> {
    const batch: Array<Entry<Item, Result>> = [];
    for (let i = 0; i < this.queue.length && batch.length < maxItems;) {
      const entry = this.queue[i]!;
      if (entry.alone) i += 1;
      else batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  private async runBatch(batch: Array<Entry<Item, Result>>): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.options.pool.connect();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    let broken = false;
    let outcomes: Array<Outcome<Item, Result>>;
    try {
      await client.query('BEGIN');
      outcomes = await this.runItems(client, batch);
      await client.query('COMMIT');
      signalCommitted();
    } catch (error) {
      broken = isDatabaseUnavailable(error);
      await client.query('ROLLBACK').catch(() => undefined);
      // Nothing of this transaction committed.
      if (isTransientConflict(error)) this.again(batch, error);
      else if (batch.length > 1) this.again(batch, error, { alone: true });
      else batch[0]!.reject(error);
      return;
    } finally {
      client.release(broken);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.entry.resolve(outcome.result);
      else if (isTransientConflict(outcome.error)) this.again([outcome.entry], outcome.error);
      else outcome.entry.reject(outcome.error);
    }
  }

  /** `prepare`, each item in its savepoint, `finish`; throws what fails the whole transaction. */
  private async runItems(client: PoolClient, batch: Array<Entry<Item, Result>>): Promise<Array<Outcome<Item, Result>>> {
    const outcomes: Array<Outcome<Item, Result>> = [];
    const shared = this.options.prepare
      ? await this.options.prepare(
          batch.map((e) => e.item),
          client,
        )
      : (undefined as Shared);
    const savepoints = batch.length > 1 && !this.options.itemsOnlyRead;
    for (const [i, entry] of batch.entries()) {
      // One round trip: the previous item's savepoint is released as this one's is taken.
      if (savepoints)
        await client.query(i === 0 ? 'SAVEPOINT batch_item' : 'RELEASE SAVEPOINT batch_item; SAVEPOINT batch_item');
      try {
        const result = await context.with(entry.context, () => this.options.run(entry.item, client, shared));
        outcomes.push({ entry, ok: true, result });
      } catch (error) {
        // A lone item's failure is the transaction's: nothing else is in it.
        if (batch.length === 1) throw error;
        // An item that only read wrote nothing to undo; the transaction goes on unless a statement failed (a query on
        // an aborted transaction fails: then it fails as a whole, for the item's reason — a deadlock or a serialization
        // failure is a lost race, run again together, where any other failure runs each item again alone).
        if (savepoints) await client.query('ROLLBACK TO SAVEPOINT batch_item');
        else
          await client.query('SELECT 1').catch(() => {
            throw error;
          });
        outcomes.push({ entry, ok: false, error });
      }
    }
    if (this.options.finish) await this.options.finish(client, shared);
    return outcomes;
  }

  /** Back to the front of the queue (each alone when asked), or the error for those out of attempts. */
  private again(entries: Array<Entry<Item, Result>>, error: unknown, options: { alone?: boolean } = {}): void {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    const retry: Array<Entry<Item, Result>> = [];
    for (const entry of entries) {
      // A batch broken by something else than a race is no lost race of its items: their attempts stay.
      if (!options.alone) entry.attempts += 1;
      if (entry.attempts >= maxAttempts) entry.reject(error);
      else {
        if (options.alone) entry.alone = true;
        retry.push(entry);
      }
    }
    this.queue.unshift(...retry);
  }
}
