import type { Pool, PoolClient } from 'pg';
import { CommitPacer } from './commit-signal';
import { isDatabaseUnavailable } from './connection';
import { PostgresEventStore, READ_HORIZON_SQL } from './event-store';
import { START, type Checkpoint, type StoredEvent } from './types';

/** Reads and writes named checkpoints in `es_checkpoints`. */
export async function loadCheckpoint(db: Pool | PoolClient, name: string): Promise<Checkpoint> {
  const { rows } = await db.query<{ transaction_id: string; position: string }>(
    'SELECT transaction_id::text AS transaction_id, position FROM es_checkpoints WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row ? { transactionId: row.transaction_id, position: BigInt(row.position) } : START;
}

export async function saveCheckpoint(db: Pool | PoolClient, name: string, checkpoint: Checkpoint): Promise<void> {
  await db.query(
    `INSERT INTO es_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::text::xid8, $3, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
       updated_at = now()`,
    [name, checkpoint.transactionId, checkpoint.position.toString()],
  );
}

/**
 * Moves a checkpoint from `from` to `to`, only if it still stands at `from` (compare and set); answers whether it
 * moved. A subscription reads its checkpoint in the statement that takes its lock, whose snapshot may predate a
 * rebuild that swapped the projection's tables and moved the checkpoint just before the lock was granted: the batch
 * then finds the checkpoint moved, and rolls back instead of applying its events a second time (ADR 20).
 */
export async function advanceCheckpoint(
  db: Pool | PoolClient,
  name: string,
  from: Checkpoint,
  to: Checkpoint,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO es_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $4::text::xid8, $5, now())
     ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position,
       updated_at = now()
     WHERE es_checkpoints.transaction_id = $2::text::xid8 AND es_checkpoints.position = $3`,
    [name, from.transactionId, from.position.toString(), to.transactionId, to.position.toString()],
  );
  return rowCount === 1;
}

export interface SubscriptionOptions {
  /** Unique name; also the checkpoint's key. */
  readonly name: string;
  /** Applies one event inside the transaction that also advances the checkpoint. */
  readonly handle: (event: StoredEvent, tx: PoolClient) => Promise<void>;
  readonly batchSize?: number;
  /** Longest wait when caught up; a commit in this process ends it early (see `waitForCommit`). */
  readonly idleMs?: number;
  /**
   * Shortest time between the starts of two polls while commits keep coming (default 10 ms): under load a poll
   * takes the commits of the last few milliseconds in one transaction instead of one transaction per commit; a
   * commit after a quiet spell is still read at once.
   */
  readonly minPollIntervalMs?: number;
  /** Called after a batch's transaction committed (effects that must happen only for committed batches). */
  readonly onCommitted?: () => void;
  /** Called after a batch's transaction rolled back or was not taken (another instance holds the lock). */
  readonly onAbandoned?: () => void;
  readonly onError?: (error: unknown) => void;
}

const NOT_LEADER = 'not-leader' as const;

/**
 * True when committed events exist that readers may not take yet: the newest visible event's transaction is at or
 * past the read horizon, i.e. an older transaction that may write into this database is still in flight. Reads the
 * global-order index backwards from its end (one row), not the table.
 */
const HELD_BACK = `coalesce((SELECT h.transaction_id FROM es_events h ORDER BY h.transaction_id DESC LIMIT 1)
  >= ${READ_HORIZON_SQL}, false)`;

/** Longest wait between looks while committed events are held back (or the idle time, if shorter). */
const HELD_BACK_MAX_WAIT_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A durable, checkpointed subscription to all events of a service's store (projections, process
 * managers). Each batch is applied in one transaction with its checkpoint, so a crash replays nothing
 * twice and loses nothing. Instances of the same subscription exclude each other with a transaction
 * advisory lock, so it scales out safely.
 *
 * @example
 * ```ts
 * const sub = new DurableSubscription(pool, { name: 'case-summary', handle: (e, tx) => project(e, tx) });
 * sub.start(); … await sub.stop();
 * ```
 */
export class DurableSubscription {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly store: PostgresEventStore;
  private readonly pacer: CommitPacer;
  /** Whether the last look found committed events held back by an older transaction still in flight. */
  private heldBack = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: SubscriptionOptions,
  ) {
    this.store = new PostgresEventStore(pool);
    this.pacer = new CommitPacer({ idleMs: options.idleMs ?? 250, minIntervalMs: options.minPollIntervalMs ?? 10 });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pacer.restart();
    this.loop = this.run();
  }

  /** Stops after the batch in progress; a wait for commits ends at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.pacer.stop();
    await this.loop;
  }

  /** Processes one batch; returns how many events were applied (0 when caught up or not leader). */
  async poll(): Promise<number> {
    // Nothing readable past the stored checkpoint: one autocommitted query instead of a transaction.
    if (!(await this.anythingNew())) return 0;
    const applied = await this.applyBatch();
    return applied === NOT_LEADER ? 0 : applied;
  }

  /** One batch in one transaction with its checkpoint, under the subscription's lock. */
  private async applyBatch(): Promise<number | typeof NOT_LEADER> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // The exclusion lock and the checkpoint in one round trip.
      const { rows } = await client.query<{
        locked: boolean;
        transaction_id: string | null;
        position: string | null;
        held_back: boolean;
      }>(
        `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked, c.transaction_id::text AS transaction_id, c.position,
                ${HELD_BACK} AS held_back
           FROM (SELECT 1) AS one LEFT JOIN es_checkpoints c ON c.name = $2`,
        [`subscription:${this.options.name}`, this.options.name],
      );
      const row = rows[0];
      this.heldBack = (row?.locked && row.held_back) ?? false;
      if (!row?.locked) {
        await client.query('ROLLBACK');
        this.options.onAbandoned?.();
        return NOT_LEADER;
      }
      const checkpoint: Checkpoint =
        row.transaction_id !== null && row.position !== null
          ? { transactionId: row.transaction_id, position: BigInt(row.position) }
          : START;
      const events = await this.store.readAll(checkpoint, this.batchSize, client);
      for (const event of events) await this.options.handle(event, client);
      const last = events.at(-1);
      if (last && !(await advanceCheckpoint(client, this.options.name, checkpoint, last))) {
        // A rebuild swapped the tables and moved the checkpoint after this batch read it: nothing of it may stay.
        await client.query('ROLLBACK');
        this.options.onAbandoned?.();
        return 0;
      }
      await client.query('COMMIT');
      this.options.onCommitted?.();
      return events.length;
    } catch (error) {
      broken = isDatabaseUnavailable(error);
      await client.query('ROLLBACK').catch(() => undefined);
      this.options.onAbandoned?.();
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 200;
  }

  /**
   * Whether events are readable (committed, below the read horizon) after the stored checkpoint. Read from the
   * table, not remembered: an operator who resets the checkpoint (to rebuild a projection) is seen at once.
   */
  private async anythingNew(): Promise<boolean> {
    // ORDER BY + LIMIT, not EXISTS: EXISTS drops the ordering and the planner then scans the whole table whenever
    // it is caught up (1.7 ms per poll at 6,000 events); this walks the global-order index from the checkpoint.
    const { rows } = await this.pool.query<{ readable: boolean; held_back: boolean }>(
      `SELECT (SELECT 1 FROM es_events e
                WHERE (e.transaction_id, e.position) > (
                        coalesce((SELECT c.transaction_id FROM es_checkpoints c WHERE c.name = $1), '0'::xid8),
                        coalesce((SELECT c.position FROM es_checkpoints c WHERE c.name = $1), 0))
                  AND e.transaction_id < ${READ_HORIZON_SQL}
                ORDER BY e.transaction_id, e.position
                LIMIT 1) IS NOT NULL AS readable,
              ${HELD_BACK} AS held_back`,
      [this.options.name],
    );
    this.heldBack = rows[0]?.held_back ?? false;
    return rows[0]?.readable ?? false;
  }

  /**
   * Polls until stopped. After a wake-up by a commit in this process the batch is read straight away (events were
   * committed); after an idle timeout, one cheap query first checks whether anything is new (other replicas'
   * commits, a checkpoint reset by an operator). A short batch means caught up as of its snapshot: the loop then
   * waits, unless a commit was signalled since the batch started (see `commitGeneration`).
   *
   * Caught up is not the same as up to date when an older transaction is still in flight (any session on the
   * server, e.g. another service's database): the events committed after it are held back from readers (ADR 1),
   * including those whose commit just woke this loop, and no further signal comes when that transaction ends. So
   * while events are held back, the loop looks again soon (from its minimum interval, doubling up to 250 ms or its
   * idle time) instead of sleeping its whole idle time (ADR 9).
   */
  private async run(): Promise<void> {
    let backoff = 100;
    let woken = false;
    const minHeldWait = Math.max(1, this.options.minPollIntervalMs ?? 10);
    const maxHeldWait = Math.min(this.options.idleMs ?? 250, Math.max(HELD_BACK_MAX_WAIT_MS, minHeldWait));
    let heldWait = minHeldWait;
    while (this.running) {
      this.pacer.pollStarts();
      try {
        const applied = woken ? await this.applyBatch() : await this.poll();
        backoff = 100;
        if (applied === NOT_LEADER) {
          // Another instance holds the subscription: look again after the idle time, not at every commit.
          woken = false;
          await sleep(this.options.idleMs ?? 250);
          continue;
        }
        if (applied >= this.batchSize) {
          woken = true;
          continue;
        }
        if (this.heldBack) {
          // Look again when a commit comes or after the (growing) held-back wait, whichever is first; after the
          // wait, the cheap "anything new?" query first (it also tells whether events are still held back).
          woken = await this.pacer.waitForMore(heldWait);
          heldWait = Math.min(heldWait * 2, maxHeldWait);
          continue;
        }
        heldWait = minHeldWait;
        woken = await this.pacer.waitForMore();
      } catch (error) {
        this.options.onError?.(error);
        woken = false;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}
