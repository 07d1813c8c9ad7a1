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

/**
 * Moves a pending timer to `dueAt` and merges `payload` into its payload (top-level keys), e.g. to retry a failed
 * timer later with an attempt counter. A timer that fired or was cancelled meanwhile is left as it is. Returns whether
 * a timer was moved.
 *
 * @example
 * ```ts
 * await rescheduleTimer(pool, timer.id, new Date(now.getTime() + 2_000), { attempts: 2 });
 * ```
 */
export async function rescheduleTimer(
  db: Queryable,
  timerId: string,
  dueAt: Date,
  payload: Record<string, unknown> = {},
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE es_timers SET due_at = $2, payload = payload || $3::jsonb
      WHERE timer_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
    [timerId, dueAt, JSON.stringify(payload)],
  );
  return (rowCount ?? 0) > 0;
}

export interface TimerSchedulerOptions {
  /** Fires one timer; its writes commit together with the timer's `fired_at`. */
  readonly fire: (timer: Timer, tx: PoolClient) => Promise<void>;
  /** The clock the scheduler compares due dates with (injected in tests). */
  readonly now?: () => Date;
  readonly batchSize?: number;
  readonly pollMs?: number;
  readonly onError?: (error: unknown, timer?: Timer) => void;
}

const tracer = trace.getTracer('@aftersales/eventstore');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fires due timers. Each timer is claimed with `FOR UPDATE SKIP LOCKED` and marked fired in the same
 * transaction as its effects, so replicas share the work, a crash fires it again later, and no timer
 * ever fires twice. Survives restarts: the rows are the state.
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
        timer = { id: row.timer_id, tenant: row.tenant, kind: row.kind, dueAt: row.due_at, payload: row.payload, metadata: row.metadata };
        await this.fireInSpan(timer, client);
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
