import type { Queryable } from './types';

/** What one {@link deleteFinishedTimers} statement deleted. */
export interface FinishedTimersDeleted {
  readonly fired: number;
  readonly cancelled: number;
}

/**
 * Deletes up to `limit` finished timers — fired or cancelled before `finishedBefore` — in one short statement, and
 * never a pending one, whatever its age (ADR 28). Rows another transaction holds are skipped, not waited for
 * (`FOR UPDATE SKIP LOCKED`): a timer transaction's claim, a schedule or a cancellation in flight is never held up
 * by the sweep, and the sweep is never held up by them (it finds the row at its next round). Run it again while a
 * statement comes back full.
 *
 * Why deleting them is safe — the `fired_at IS NULL` guard of `scheduleTimers` goes with the row, so a later schedule
 * of that id arms it again — is argued in ADR 28: timers are only scheduled for new events (deduplicated for good by
 * the event store and the inbox), what a timer fires is decided again on the aggregate as it stands, a command a timer
 * fires is idempotent by the timer's id and due instant, and every message sent is recorded once in a delivery
 * ledger. A cancelled row is re-armed by a schedule of its id anyway: deleting it changes nothing.
 *
 * The scan reads `es_timers_finished` (migration 1732500500000) from the oldest finished row on.
 *
 * @example
 * // Everything that finished more than 30 days ago, 5,000 rows per statement, until a statement comes back short:
 * const before = new Date(Date.now() - 30 * 86_400_000);
 * for (;;) {
 *   const { fired, cancelled } = await deleteFinishedTimers(pool, before, 5_000);
 *   if (fired + cancelled < 5_000) break;
 * }
 */
export async function deleteFinishedTimers(
  db: Queryable,
  finishedBefore: Date,
  limit: number,
): Promise<FinishedTimersDeleted> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1 (got ${limit})`);
  // The condition is checked again on the row the DELETE sees: a row moved after the subquery's snapshot (re-armed,
  // so pending again) is not deleted. Its predicate matches `es_timers_finished`'s, so the planner may use it.
  const { rows } = await db.query<{ fired: string; cancelled: string }>(
    `WITH gone AS (
       DELETE FROM es_timers
        WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM es_timers
                 WHERE (fired_at IS NOT NULL OR cancelled_at IS NOT NULL)
                   AND coalesce(fired_at, cancelled_at) < $1
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED))
          AND (fired_at IS NOT NULL OR cancelled_at IS NOT NULL)
          AND coalesce(fired_at, cancelled_at) < $1
       RETURNING fired_at IS NOT NULL AS fired
     )
     SELECT count(*) FILTER (WHERE fired) AS fired, count(*) FILTER (WHERE NOT fired) AS cancelled FROM gone`,
    [finishedBefore, limit],
  );
  return { fired: Number(rows[0]?.fired ?? 0), cancelled: Number(rows[0]?.cancelled ?? 0) };
}
