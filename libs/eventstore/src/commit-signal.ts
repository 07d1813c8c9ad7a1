/**
 * In-process wake-ups for the pollers of the event store (outbox relay, durable subscriptions, the timer worker):
 * every writer in this process calls {@link signalCommitted} after a commit that stored events, and a poller that
 * found nothing waits in {@link waitForCommit} until the next such commit or its idle timeout, whichever comes
 * first. Events committed in this process are then picked up at once instead of after a polling interval, and an
 * idle poller queries rarely. Events committed by other processes (other replicas) are still found by the timeout,
 * so correctness never depends on a signal: a lost or spurious signal only changes when the next poll happens.
 *
 * Two channels: `events` wakes on every commit; `timers` only on a commit after {@link noteTimerDue} (a timer due
 * now was scheduled), so the timer worker does not poll once per commit.
 *
 * Not Postgres `NOTIFY`: that takes a database-wide lock at every commit and serialises all writers.
 */
export type CommitChannel = 'events' | 'timers';

const waiters: Record<CommitChannel, Set<() => void>> = { events: new Set(), timers: new Set() };
let timerDue = false;

function wake(channel: CommitChannel): void {
  const set = waiters[channel];
  if (set.size === 0) return;
  const woken = [...set];
  set.clear();
  for (const w of woken) w();
}

/** Wakes the pollers waiting in {@link waitForCommit}. Call it after `COMMIT` (or an autocommitted append). */
export function signalCommitted(): void {
  wake('events');
  if (timerDue) {
    timerDue = false;
    wake('timers');
  }
}

/** Marks that a transaction in this process scheduled a timer that is due now: its commit wakes the timer worker. */
export function noteTimerDue(): void {
  timerDue = true;
}

/**
 * Resolves at the next {@link signalCommitted} of `channel` in this process or after `timeoutMs`, whichever comes
 * first; then waits `coalesceMs` more so the commits of a burst are read in one batch rather than one poll each.
 *
 * @returns `true` when a commit woke it, `false` on timeout.
 */
export async function waitForCommit(
  timeoutMs: number,
  coalesceMs = 2,
  channel: CommitChannel = 'events',
): Promise<boolean> {
  const signalled = await new Promise<boolean>((resolve) => {
    const set = waiters[channel];
    const woken = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      set.delete(woken);
      resolve(false);
    }, timeoutMs);
    set.add(woken);
  });
  if (signalled && coalesceMs > 0) await new Promise((resolve) => setTimeout(resolve, coalesceMs));
  return signalled;
}
