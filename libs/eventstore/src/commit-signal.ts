/**
 * In-process wake-ups for the pollers of the event store (outbox relay, durable subscriptions): every writer in this
 * process calls {@link signalCommitted} after a commit that stored events, and a poller that found nothing waits in
 * {@link waitForCommit} until the next such commit or its idle timeout, whichever comes first. Events committed in
 * this process are then picked up at once instead of after a polling interval, and an idle poller queries rarely.
 * Events committed by other processes (other replicas) are still found by the timeout, so correctness never depends
 * on a signal: a lost or spurious signal only changes when the next poll happens.
 *
 * Not Postgres `NOTIFY`: that takes a database-wide lock at every commit and serialises all writers.
 */
const waiters = new Set<() => void>();

/** Wakes every poller waiting in {@link waitForCommit}. Call it after `COMMIT` (or an autocommitted append). */
export function signalCommitted(): void {
  if (waiters.size === 0) return;
  const woken = [...waiters];
  waiters.clear();
  for (const wake of woken) wake();
}

/**
 * Resolves at the next {@link signalCommitted} in this process or after `timeoutMs`, whichever comes first; then
 * waits `coalesceMs` more so the commits of a burst are read in one batch rather than one poll each.
 *
 * @returns `true` when a commit woke it, `false` on timeout.
 */
export async function waitForCommit(timeoutMs: number, coalesceMs = 2): Promise<boolean> {
  const signalled = await new Promise<boolean>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      waiters.delete(wake);
      resolve(false);
    }, timeoutMs);
    waiters.add(wake);
  });
  if (signalled && coalesceMs > 0) await new Promise((resolve) => setTimeout(resolve, coalesceMs));
  return signalled;
}
