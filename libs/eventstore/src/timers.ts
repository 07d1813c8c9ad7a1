import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import { noteTimerDue, signalCommitted } from './commit-signal';
import { isDatabaseUnavailable } from './connection';
import type { Queryable } from './types';

/** A durable timer: fires once at or after `dueAt`. */
export interface Timer<Payload = unknown> {
  /** Deterministic id (e.g. `incident:42:contact-deadline`) so rescheduling replaces, never duplicates. */
  readonly id: string;
  readonly tenant: string;
  readonly kind: string;
  readonly dueAt: Date;
  readonly payload: Payload;
  /** Correlation, actor and trace context to continue when the timer fires. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * Schedules or reschedules a timer inside the caller's transaction (so it exists exactly when the
 * events that asked for it do). Rescheduling a timer that already fired does nothing.
 */
export async function scheduleTimer(tx: Queryable, timer: Timer): Promise<void> {
  await scheduleTimers(tx, [timer]);
}

/**
 * {@link scheduleTimer} for several timers in one statement (one round trip). A timer id given twice keeps the last
 * one given, as scheduling them one after the other would.
 */
export async function scheduleTimers(tx: Queryable, timers: readonly Timer[]): Promise<void> {
  await upsertTimers(tx, timers, 'pending');
}

/**
 * Arms timers at their instants whatever they were: a new row, or the row of the same id moved — pending, cancelled
 * or already fired alike (its payload and metadata replaced, so a retry count starts again). For a timer that stands
 * for "the next check of this thing" (a shipment's tracking rules): one row per thing, moved in place at every change,
 * instead of a cancelled row and a new one each time. A timer re-armed by its own firing stays armed (see
 * `TimerScheduler`); one claimed by another transaction is moved once that transaction ends (its row lock).
 */
export async function rearmTimers(tx: Queryable, timers: readonly Timer[]): Promise<void> {
  await upsertTimers(tx, timers, 'any');
}

/** Writes timers in one statement: new rows, or rows of the same id moved (`pending`: only those not fired yet). */
async function upsertTimers(tx: Queryable, timers: readonly Timer[], moves: 'pending' | 'any'): Promise<void> {
  if (timers.length === 0) return;
  // The timer continues the trace that scheduled it, so what it fires (a breach, a page) joins that trace.
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const latest = [...new Map(timers.map((t) => [t.id, t])).values()];
  await tx.query(
    `INSERT INTO es_timers (timer_id, tenant, kind, due_at, payload, metadata)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::jsonb[])
     ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
       metadata = EXCLUDED.metadata, cancelled_at = NULL${
         moves === 'any'
           ? ', fired_at = NULL'
           : `
     WHERE es_timers.fired_at IS NULL`
       }`,
    [
      latest.map((t) => t.id),
      latest.map((t) => t.tenant),
      latest.map((t) => t.kind),
      latest.map((t) => t.dueAt),
      latest.map((t) => JSON.stringify(t.payload)),
      latest.map((t) => JSON.stringify({ ...carrier, ...(t.metadata ?? {}) })),
    ],
  );
  // Due now (a page to deliver): the commit of this transaction wakes the timer worker instead of its next poll.
  if (latest.some((t) => t.dueAt.getTime() <= Date.now() + 1_000)) noteTimerDue();
}

export async function cancelTimer(tx: Queryable, timerId: string): Promise<void> {
  await cancelTimers(tx, [timerId]);
}

/** {@link cancelTimer} for several timers in one statement. */
export async function cancelTimers(tx: Queryable, timerIds: readonly string[]): Promise<void> {
  if (timerIds.length === 0) return;
  await tx.query('UPDATE es_timers SET cancelled_at = now() WHERE timer_id = ANY($1::text[]) AND fired_at IS NULL', [
    [...new Set(timerIds)],
  ]);
}

/**
 * The timer writes of one command, kept in memory and written in at most two statements by {@link TimerWrites.flush}
 * (before the transaction commits). Writes to the same timer id: the last one counts, as if each had been written
 * at once (a timer scheduled then cancelled ends cancelled; cancelled then scheduled ends scheduled).
 */
export class TimerWrites {
  private readonly pending = new Map<
    string,
    { readonly cancel: true } | { readonly cancel: false; readonly timer: Timer; readonly rearm: boolean }
  >();

  schedule(timer: Timer): void {
    this.pending.delete(timer.id);
    this.pending.set(timer.id, { cancel: false, timer, rearm: false });
  }

  /** {@link rearmTimers}: the timer of this id armed at its instant, even if it was cancelled or fired. */
  rearm(timer: Timer): void {
    this.pending.delete(timer.id);
    this.pending.set(timer.id, { cancel: false, timer, rearm: true });
  }

  cancel(timerId: string): void {
    this.pending.delete(timerId);
    this.pending.set(timerId, { cancel: true });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Takes `other`'s writes after this one's (the last write to a timer counts), leaving `other` empty. */
  absorb(other: TimerWrites): void {
    for (const [id, write] of other.pending) {
      this.pending.delete(id);
      this.pending.set(id, write);
    }
    other.pending.clear();
  }

  /**
   * Writes what is pending in `tx` (cancellations, schedules, re-arms: their ids are distinct; at most one statement
   * each) and forgets it.
   */
  async flush(tx: Queryable): Promise<void> {
    const writes = [...this.pending.entries()];
    this.pending.clear();
    await cancelTimers(
      tx,
      writes.filter(([, w]) => w.cancel).map(([id]) => id),
    );
    await scheduleTimers(
      tx,
      writes.flatMap(([, w]) => (!w.cancel && !w.rearm ? [w.timer] : [])),
    );
    await rearmTimers(
      tx,
      writes.flatMap(([, w]) => (!w.cancel && w.rearm ? [w.timer] : [])),
    );
  }
}

/** The active trace context as timer metadata: a timer planned now and written later continues this trace. */
export function traceMetadata(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** What a `prepare` that fires timers itself did (see {@link TimerSchedulerOptions.prepare}). */
export interface PreparedTimers {
  /** The timers it fired: its writes are their effects. */
  readonly fired: ReadonlySet<string>;
  /**
   * Timers whose effect failed in it with nothing of theirs written (a receiver that did not answer): each is moved
   * by `retry` as if `fire` had failed with the error, or, without a retry for it, given to `fire`.
   */
  readonly failed?: ReadonlyMap<string, unknown>;
}

/** Where a timer whose firing failed goes instead: a later due date and the payload to keep (an attempt count). */
export interface TimerRetry<Payload = unknown> {
  readonly dueAt: Date;
  readonly payload: Payload;
}

/**
 * What the timers claimed by one transaction share: values read once for all of them (a tenant's policy), so a batch
 * of timers of the same tenant reads it once. Reads only: a value stays valid when a timer's own effects roll back.
 */
export interface TimerBatch {
  /** `load()` once per key in this transaction; a failed load is not remembered (the next timer loads again). */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface TimerSchedulerOptions {
  /**
   * Fires one timer; its writes commit together with the timer's `fired_at`. The timers of one transaction share
   * `batch` (see {@link TimerSchedulerOptions.perTransaction}).
   */
  readonly fire: (timer: Timer, tx: PoolClient, batch: TimerBatch) => Promise<void>;
  /**
   * Called once per claiming transaction with every timer it claimed, before any fires: work the timers can share or
   * do side by side (read all their aggregates in one query, call a remote system for all of them at once), kept in
   * `batch` for `fire`. It runs in a savepoint; when it throws, its writes are undone, the error is told (`onError`)
   * and the timers fire without it — so `fire` must not depend on it, only use what it left.
   *
   * It may fire timers itself, set-based (decide all of them, append their events in one statement), and say so
   * ({@link PreparedTimers}): those are marked fired with the others (committed together, or, when `prepare` throws,
   * rolled back with its savepoint and then given to `fire` like the rest) and not given to `fire`.
   */
  readonly prepare?: (timers: readonly Timer[], tx: PoolClient, batch: TimerBatch) => Promise<void | PreparedTimers>;
  /**
   * Called once per claiming transaction after its timers fired, before their `fired_at` and the commit, when at
   * least one fired: writes the fired timers gathered in `batch` instead of each writing its own (their events in
   * one append, their bookings one statement per kind). A timer whose effects rolled back to its savepoint must have
   * left nothing there. When it throws, the whole transaction rolls back: every timer it claimed stays due.
   */
  readonly finish?: (tx: PoolClient, batch: TimerBatch) => Promise<void>;
  /**
   * The order a transaction fires the timers it claimed in (default: due order). Timers whose effects lock rows of
   * several aggregates (each its own) are best fired in the order of those aggregates: transactions that take such
   * locks in one order cannot deadlock each other.
   */
  readonly order?: (a: Timer, b: Timer) => number;
  /**
   * When `fire` throws: where the timer goes instead (a backoff). Its effects are rolled back to a savepoint taken
   * just after the claim and the move is committed by the claiming transaction, which still holds the timer's row
   * lock: no other loop or replica can fire it before `dueAt`. Without it (or when it returns `undefined`), the
   * timer's effects roll back and it stays due.
   */
  readonly retry?: (timer: Timer, error: unknown) => TimerRetry | undefined;
  /** The clock the scheduler compares due dates with (injected in tests). */
  readonly now?: () => Date;
  /** Most timers one {@link TimerScheduler.fireDue} fires (default 50). */
  readonly batchSize?: number;
  /**
   * Timers claimed and fired by one transaction (default 1), each in its own savepoint: one failing timer is rolled
   * back (and moved by `retry`) alone, the others commit. Saves a commit and the claim per timer; the price is that
   * the batch's timers commit together, so a lost connection or a failed commit makes all of them fire again later.
   */
  readonly perTransaction?: number;
  /**
   * A transaction stops firing the timers it claimed once it has fired for this long (default 1 s; counted from its
   * first fire, after `prepare`): the ones left are released unfired at its commit, for the next claim (of any loop),
   * so a slow effect (a webhook timing out) holds back at most the timers fired before it.
   */
  readonly transactionBudgetMs?: number;
  readonly pollMs?: number;
  /**
   * Timers could not be claimed or `prepare` failed (`timer` undefined), or a timer did not fire; `retry` is where it
   * was moved (committed), absent when it stays due (no retry asked, or moving it failed too).
   */
  readonly onError?: (error: unknown, timer?: Timer, retry?: TimerRetry) => void;
  /**
   * A claiming transaction failed as a whole (the claim, a lone timer, the batch's writes, the commit, the
   * connection): nothing of it committed and the `claimed` timers stay due (told after `onError`).
   */
  readonly onRolledBack?: (error: unknown, claimed: number) => void;
}

const tracer = trace.getTracer('@aftersales/eventstore');

/**
 * Runs `work` in the span of a timer's firing (`timer.fire <kind>`), whose parent is the trace that scheduled the timer
 * (its `traceparent`): what the timer causes — a breach, a page — joins that trace. The scheduler fires every timer
 * given to `fire` in one; a `prepare` that fires timers itself runs each one's work in one too.
 */
export function inTimerSpan<T>(timer: Timer, work: () => Promise<T>): Promise<T> {
  const meta = (timer.metadata ?? {}) as Record<string, unknown>;
  const parent = propagation.extract(ROOT_CONTEXT, {
    traceparent: typeof meta.traceparent === 'string' ? meta.traceparent : undefined,
    tracestate: typeof meta.tracestate === 'string' ? meta.tracestate : undefined,
  });
  return tracer.startActiveSpan(
    `timer.fire ${timer.kind}`,
    { kind: SpanKind.INTERNAL, attributes: { 'timer.id': timer.id, 'timer.kind': timer.kind } },
    parent,
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TimerRow {
  timer_id: string;
  tenant: string;
  kind: string;
  due_at: Date;
  payload: unknown;
  metadata: Record<string, unknown>;
}

/** How one claiming transaction ended: how many timers it fired (committed), and whether to look again now. */
interface ClaimOutcome {
  readonly fired: number;
  /**
   * Nothing more was due, a timer failed and stays due (claiming again at once would fire it again at once), or the
   * transaction failed as a whole (nothing of it committed).
   */
  readonly stop: boolean;
  /** It stopped on a failure (a timer that stays due, the database): look again after a poll, not at once. */
  readonly failed: boolean;
}

/** What the timers of one claiming transaction came to, told (`onError`) once it committed. */
interface BatchLedger {
  /** `due`: the instant it was claimed at; a fire that moved its own timer (re-armed it) leaves it armed. */
  readonly fired: Array<{ id: string; at: Date; due: Date }>;
  readonly moved: Array<{ timer: Timer; error: unknown; retry: TimerRetry }>;
  readonly stayedDue: Array<{ timer: Timer; error: unknown }>;
  /** The timer being fired, for the error of a transaction that fails as a whole. */
  current: Timer | undefined;
}

const timerOf = (row: TimerRow): Timer => ({
  id: row.timer_id,
  tenant: row.tenant,
  kind: row.kind,
  dueAt: row.due_at,
  payload: row.payload,
  metadata: row.metadata,
});

/** A fresh {@link TimerBatch}: values loaded once per key; a failed load is forgotten. */
function timerBatch(): TimerBatch {
  const memo = new Map<string, Promise<unknown>>();
  return {
    once: <T>(key: string, load: () => Promise<T>): Promise<T> => {
      const known = memo.get(key);
      if (known) return known as Promise<T>;
      const loading = load();
      memo.set(key, loading);
      loading.catch(() => memo.delete(key));
      return loading;
    },
  };
}

/**
 * Fires due timers. Timers are claimed with `FOR UPDATE SKIP LOCKED` (one or `perTransaction` at a time) and marked
 * fired in the same transaction as their effects, so replicas share the work, a crash fires them again later, and no
 * timer ever fires twice. Survives restarts: the rows are the state. A timer that fails is rolled back to its own
 * savepoint and moved (`retry`) by the transaction that claimed it, so the lock is never let go of while it is still
 * due, and the other timers of its transaction still commit.
 */
export class TimerScheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  /**
   * When to look for due timers again, as the last {@link fireDue} left it: `now` (it fired timers and stopped because
   * none was left as of its claim: what fell due since is found by looking once more), `poll` (it failed, the due ones
   * are claimed by another loop, or nothing is pending at all), or the instant the earliest pending timer falls due.
   */
  private lookAgain: 'now' | 'poll' | Date = 'poll';

  constructor(
    private readonly pool: Pool,
    private readonly options: TimerSchedulerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Fires the timers due now, up to `batchSize`, `perTransaction` per transaction; returns how many fired. */
  async fireDue(): Promise<number> {
    const now = (this.options.now ?? (() => new Date()))();
    const limit = this.options.batchSize ?? 50;
    const perTransaction = Math.max(1, this.options.perTransaction ?? 1);
    let fired = 0;
    this.lookAgain = 'poll';
    // Nothing due: one autocommitted query instead of BEGIN, SELECT … FOR UPDATE, COMMIT; it tells when the next is.
    const earliest = await this.earliestPending();
    if (earliest === undefined || earliest > now) {
      this.lookAgain = earliest ?? 'poll';
      return 0;
    }
    while (fired < limit) {
      const wanted = Math.min(perTransaction, limit - fired);
      const outcome = await this.claimAndFire(now, wanted);
      fired += outcome.fired;
      // Nothing left to claim, or a failure (a failing timer, the database): look again on the next round.
      if (outcome.stop) {
        // Claimed none although one was due: another loop or replica holds them (`SKIP LOCKED`) and looks again
        // itself when done; looking again at once would spin while it works.
        this.lookAgain = outcome.failed || fired === 0 ? 'poll' : 'now';
        return fired;
      }
    }
    this.lookAgain = 'now';
    return fired;
  }

  /**
   * How long a caught-up loop may wait before it looks for due timers again, at most `maxMs`: 0 when the last
   * {@link fireDue} fired timers (more may have fallen due while it did), the time until the earliest pending timer
   * falls due when it found none due, `maxMs` after a failure or when nothing is pending. A timer scheduled meanwhile
   * by this process and due within a second wakes the loop by its commit ({@link scheduleTimer}); one due later is
   * seen by a look within `maxMs`, before it falls due. So timers fire at their due instant, not up to a poll late.
   *
   * `slackMs` (default 0) lets timers that fall due close together share a transaction: the loop looks that much
   * after the earliest pending timer falls due, and that much after a look that fired, so each timer fires at most
   * about `slackMs` late and never early. A transaction's cost is mostly its round trips, whatever it fires: timers
   * falling due one by one at a few dozen a second cost a transaction each without it (ADR 38).
   */
  msUntilNextLook(maxMs: number, slackMs = 0): number {
    const lookAgain = this.lookAgain;
    if (lookAgain === 'now') return Math.min(maxMs, slackMs);
    if (lookAgain === 'poll') return maxMs;
    const now = (this.options.now ?? (() => new Date()))();
    return Math.min(maxMs, Math.max(0, lookAgain.getTime() - now.getTime()) + slackMs);
  }

  /** One transaction: claims up to `wanted` due timers, fires each in its savepoint, commits. */
  private async claimAndFire(now: Date, wanted: number): Promise<ClaimOutcome> {
    const client = await this.pool.connect();
    const budgetMs = this.options.transactionBudgetMs ?? 1_000;
    const ledger: BatchLedger = { fired: [], moved: [], stayedDue: [], current: undefined };
    const shared = timerBatch();
    let broken = false;
    let claimedCount = 0;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<TimerRow>(
        `SELECT timer_id, tenant, kind, due_at, payload, metadata FROM es_timers
          WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1
          ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now, wanted],
      );
      const claimed = rows.map(timerOf);
      claimedCount = claimed.length;
      if (this.options.order) claimed.sort(this.options.order);
      const prepared = claimed.length > 0 ? await this.prepare(client, claimed, shared) : { savepoint: false };
      const handled = prepared.outcome ? await this.settlePrepared(client, claimed, prepared.outcome, ledger) : null;
      const timers = handled ? claimed.filter((t) => !handled.has(t.id)) : claimed;
      const started = performance.now();
      for (const [i, timer] of timers.entries()) {
        // Over budget: the timers not fired yet are released at the commit, for the next claim.
        if (i > 0 && performance.now() - started > budgetMs) break;
        const first = i === 0 && !prepared.savepoint;
        await this.fireClaimed(client, timer, shared, { first, batched: wanted > 1 }, ledger);
      }
      ledger.current = undefined;
      const { fired, moved, stayedDue } = ledger;
      if (fired.length > 0 && this.options.finish) await this.options.finish(client, shared);
      if (fired.length > 0) {
        // Each timer's own firing instant (not the batch's), in one statement. A timer its own firing re-armed (moved
        // to a new instant, `rearmTimers`) is not marked: it stays armed for that instant. (Compared to the millisecond:
        // a claimed instant comes back as a JavaScript date; one written in SQL may carry microseconds.)
        await client.query(
          `UPDATE es_timers SET fired_at = f.at
             FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS f(id, at, due)
            WHERE es_timers.timer_id = f.id AND date_trunc('milliseconds', es_timers.due_at) = f.due`,
          [fired.map((f) => f.id), fired.map((f) => f.at), fired.map((f) => f.due)],
        );
      }
      await client.query('COMMIT');
      if (fired.length > 0) signalCommitted();
      // Told once the moves are committed: another loop looking now finds them not due.
      for (const { timer, error, retry } of moved) this.options.onError?.(error, timer, retry);
      for (const { timer, error } of stayedDue) this.options.onError?.(error, timer);
      return {
        fired: fired.length,
        stop: rows.length < wanted || stayedDue.length > 0,
        failed: stayedDue.length > 0,
      };
    } catch (error) {
      broken = isDatabaseUnavailable(error);
      await client.query('ROLLBACK').catch(() => undefined);
      this.options.onError?.(error, ledger.current);
      this.options.onRolledBack?.(error, claimedCount);
      return { fired: 0, stop: true, failed: true };
    } finally {
      client.release(broken);
    }
  }

  /**
   * What `prepare` did with the timers: those it fired are fired as of now; those that failed in it are moved by
   * `retry` (or, without one, left to `fire`). Returns the ids settled so; the others go through `fire`, one by one.
   */
  private async settlePrepared(
    client: PoolClient,
    claimed: readonly Timer[],
    outcome: PreparedTimers,
    ledger: BatchLedger,
  ): Promise<ReadonlySet<string>> {
    const settled = new Set<string>();
    const at = (this.options.now ?? (() => new Date()))();
    for (const timer of claimed) {
      if (outcome.fired.has(timer.id)) {
        ledger.fired.push({ id: timer.id, at, due: timer.dueAt });
        settled.add(timer.id);
      } else if (outcome.failed?.has(timer.id)) {
        const error = outcome.failed.get(timer.id);
        const retry = await this.moveLater(client, timer, error);
        if (retry) {
          ledger.moved.push({ timer, error, retry });
          settled.add(timer.id);
        }
      }
    }
    return settled;
  }

  /**
   * Runs `prepare` (when given) in the savepoint the first timer then fires in (`RELEASE`/`SAVEPOINT` as for the next
   * timers); a failure is rolled back to it and told, and the timers fire without it. Returns whether the savepoint
   * was taken, and the timers `prepare` fired (none when it failed).
   */
  private async prepare(
    client: PoolClient,
    timers: readonly Timer[],
    shared: TimerBatch,
  ): Promise<{ readonly savepoint: boolean; readonly outcome?: PreparedTimers }> {
    const prepare = this.options.prepare;
    if (!prepare) return { savepoint: false };
    await client.query('SAVEPOINT timer_fire');
    try {
      const outcome = await prepare(timers, client, shared);
      return { savepoint: true, ...(outcome ? { outcome } : {}) };
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT timer_fire');
      this.options.onError?.(error);
      return { savepoint: true };
    }
  }

  /**
   * Fires one claimed timer in its own savepoint (when the transaction fires several, or a failure is to be moved):
   * a failure rolls back to it, so the claim's row locks and the other timers' effects stay. Throws what must roll back
   * the whole transaction: a failure of a lone timer without a retry, or a failed move.
   */
  private async fireClaimed(
    client: PoolClient,
    timer: Timer,
    shared: TimerBatch,
    { first, batched }: { first: boolean; batched: boolean },
    ledger: BatchLedger,
  ): Promise<void> {
    ledger.current = timer;
    const savepoint = batched || this.options.retry !== undefined;
    // One round trip: the previous timer's savepoint is released as this one's is taken.
    if (savepoint)
      await client.query(first ? 'SAVEPOINT timer_fire' : 'RELEASE SAVEPOINT timer_fire; SAVEPOINT timer_fire');
    const at = (this.options.now ?? (() => new Date()))();
    try {
      await this.fireInSpan(timer, client, shared);
      ledger.fired.push({ id: timer.id, at, due: timer.dueAt });
      return;
    } catch (error) {
      if (!savepoint) throw error;
      const retry = await this.moveFailed(client, timer, error).catch((moveError: unknown) => {
        throw new AggregateError([error, moveError], `timer ${timer.id} failed and could not be moved later`);
      });
      if (retry) ledger.moved.push({ timer, error, retry });
      else if (batched) ledger.stayedDue.push({ timer, error });
      else throw error;
    }
  }

  /**
   * After `fire` failed: undoes its effects (to the savepoint) and moves the timer to `retry`'s due date in the
   * claiming transaction (committed with it). Releasing the lock first (a rollback, then an update in another
   * transaction) would let another loop or replica claim the still-due timer in between and fire it again at once,
   * without the backoff.
   *
   * @returns where the timer went, or `undefined` when no retry is asked (its effects are undone; it stays due).
   */
  private async moveFailed(client: PoolClient, timer: Timer, error: unknown): Promise<TimerRetry | undefined> {
    await client.query('ROLLBACK TO SAVEPOINT timer_fire');
    return this.moveLater(client, timer, error);
  }

  /** Moves a claimed timer to `retry`'s due date (in the claiming transaction); `undefined` when no retry is asked. */
  private async moveLater(client: PoolClient, timer: Timer, error: unknown): Promise<TimerRetry | undefined> {
    const retry = this.options.retry?.(timer, error);
    if (!retry) return undefined;
    await client.query('UPDATE es_timers SET due_at = $2, payload = $3 WHERE timer_id = $1', [
      timer.id,
      retry.dueAt,
      JSON.stringify(retry.payload),
    ]);
    return retry;
  }

  /** When the earliest pending timer falls due (an index-only scan of `es_timers_due`); `undefined` when none is. */
  private async earliestPending(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ due_at: Date }>(
      `SELECT due_at FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL ORDER BY due_at LIMIT 1`,
    );
    return rows[0]?.due_at;
  }

  /** Fires inside a span whose parent is the trace that scheduled the timer. */
  private fireInSpan(timer: Timer, client: PoolClient, batch: TimerBatch): Promise<void> {
    return inTimerSpan(timer, () => this.options.fire(timer, client, batch));
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.fireDue().catch((error: unknown) => {
        this.options.onError?.(error);
        return 0;
      });
      const idle = this.msUntilNextLook(this.options.pollMs ?? 500);
      if (idle > 0) await sleep(idle);
    }
  }
}
