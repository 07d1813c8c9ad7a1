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
  // The timer continues the trace that scheduled it, so what it fires (a breach, a page) joins that trace.
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const metadata = { ...carrier, ...(timer.metadata ?? {}) };
  await tx.query(
    `INSERT INTO es_timers (timer_id, tenant, kind, due_at, payload, metadata) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (timer_id) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload,
       metadata = EXCLUDED.metadata, cancelled_at = NULL
     WHERE es_timers.fired_at IS NULL`,
    [timer.id, timer.tenant, timer.kind, timer.dueAt, JSON.stringify(timer.payload), JSON.stringify(metadata)],
  );
  // Due now (a page to deliver): the commit of this transaction wakes the timer worker instead of its next poll.
  if (timer.dueAt.getTime() <= Date.now() + 1_000) noteTimerDue();
}

export async function cancelTimer(tx: Queryable, timerId: string): Promise<void> {
  await tx.query('UPDATE es_timers SET cancelled_at = now() WHERE timer_id = $1 AND fired_at IS NULL', [timerId]);
}

/** Where a timer whose firing failed goes instead: a later due date and the payload to keep (an attempt count). */
export interface TimerRetry<Payload = unknown> {
  readonly dueAt: Date;
  readonly payload: Payload;
}

export interface TimerSchedulerOptions {
  /** Fires one timer; its writes commit together with the timer's `fired_at`. */
  readonly fire: (timer: Timer, tx: PoolClient) => Promise<void>;
  /**
   * When `fire` throws: where the timer goes instead (a backoff). Its effects are rolled back to a savepoint taken
   * just after the claim and the move is committed by the claiming transaction, which still holds the timer's row
   * lock: no other loop or replica can fire it before `dueAt`. Without it (or when it returns `undefined`), the
   * transaction rolls back and the timer stays due.
   */
  readonly retry?: (timer: Timer, error: unknown) => TimerRetry | undefined;
  /** The clock the scheduler compares due dates with (injected in tests). */
  readonly now?: () => Date;
  readonly batchSize?: number;
  readonly pollMs?: number;
  /**
   * A timer could not be claimed (`timer` undefined) or did not fire; `retry` is where it was moved (committed), absent
   * when it stays due (no retry asked, or moving it failed too).
   */
  readonly onError?: (error: unknown, timer?: Timer, retry?: TimerRetry) => void;
}

const tracer = trace.getTracer('@aftersales/eventstore');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fires due timers. Each timer is claimed with `FOR UPDATE SKIP LOCKED` and marked fired in the same
 * transaction as its effects, so replicas share the work, a crash fires it again later, and no timer
 * ever fires twice. Survives restarts: the rows are the state. A timer that fails is moved (`retry`) by
 * the transaction that claimed it, so the lock is never let go of while it is still due.
 */
export class TimerScheduler {
  private running = false;
  private loop: Promise<void> | null = null;

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

  /** Fires the timers due now, one transaction each; returns how many fired. */
  async fireDue(): Promise<number> {
    const now = (this.options.now ?? (() => new Date()))();
    let fired = 0;
    // Nothing due: one autocommitted query instead of BEGIN, SELECT … FOR UPDATE, COMMIT.
    if (!(await this.anythingDue(now))) return 0;
    for (let i = 0; i < (this.options.batchSize ?? 50); i++) {
      const client = await this.pool.connect();
      let timer: Timer | undefined;
      let broken = false;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{
          timer_id: string;
          tenant: string;
          kind: string;
          due_at: Date;
          payload: unknown;
          metadata: Record<string, unknown>;
        }>(
          `SELECT timer_id, tenant, kind, due_at, payload, metadata FROM es_timers
            WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1
            ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [now],
        );
        const row = rows[0];
        if (!row) {
          await client.query('COMMIT');
          return fired;
        }
        const claimed: Timer = { id: row.timer_id, tenant: row.tenant, kind: row.kind, dueAt: row.due_at, payload: row.payload, metadata: row.metadata };
        timer = claimed;
        // Rolling back to here undoes the effects but keeps the row lock of the claim (taken before it).
        if (this.options.retry) await client.query('SAVEPOINT timer_fire');
        try {
          await this.fireInSpan(claimed, client);
        } catch (error) {
          const retry = await this.moveFailed(client, claimed, error).catch((moveError: unknown) => {
            throw new AggregateError([error, moveError], `timer ${claimed.id} failed and could not be moved later`);
          });
          if (!retry) throw error;
          this.options.onError?.(error, claimed, retry);
          return fired;
        }
        await client.query('UPDATE es_timers SET fired_at = $2 WHERE timer_id = $1', [row.timer_id, now]);
        await client.query('COMMIT');
        signalCommitted();
        fired += 1;
      } catch (error) {
        broken = isDatabaseUnavailable(error);
        await client.query('ROLLBACK').catch(() => undefined);
        this.options.onError?.(error, timer);
        return fired;
      } finally {
        client.release(broken);
      }
    }
    return fired;
  }

  /**
   * After `fire` failed: undoes its effects (to the savepoint) and commits the timer's move to `retry`'s due date in
   * the claiming transaction. Releasing the lock first (a rollback, then an update in another transaction) would let
   * another loop or replica claim the still-due timer in between and fire it again at once, without the backoff.
   *
   * @returns where the timer went, or `undefined` when no retry is asked (the caller rolls back; the timer stays due).
   */
  private async moveFailed(client: PoolClient, timer: Timer, error: unknown): Promise<TimerRetry | undefined> {
    const retry = this.options.retry?.(timer, error);
    if (!retry) return undefined;
    await client.query('ROLLBACK TO SAVEPOINT timer_fire');
    await client.query('UPDATE es_timers SET due_at = $2, payload = $3 WHERE timer_id = $1', [
      timer.id,
      retry.dueAt,
      JSON.stringify(retry.payload),
    ]);
    await client.query('COMMIT');
    return retry;
  }

  private async anythingDue(now: Date): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1 LIMIT 1`,
      [now],
    );
    return rows.length > 0;
  }

  /** Fires inside a span whose parent is the trace that scheduled the timer. */
  private fireInSpan(timer: Timer, client: PoolClient): Promise<void> {
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
          await this.options.fire(timer, client);
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

  private async run(): Promise<void> {
    while (this.running) {
      const fired = await this.fireDue().catch((error: unknown) => {
        this.options.onError?.(error);
        return 0;
      });
      if (fired === 0) await sleep(this.options.pollMs ?? 500);
    }
  }
}
