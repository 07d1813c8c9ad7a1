import {
  CommitPacer,
  commitGeneration,
  noteEventsStored,
  noteTimerDue,
  signalCommitted,
  takeEventsStored,
  waitForCommit,
} from './commit-signal';

describe('commit signal', () => {
  it('a commit wakes a waiting poller before its timeout', async () => {
    const waiting = waitForCommit(10_000);
    signalCommitted();
    await expect(waiting).resolves.toBe(true);
  });

  it('without a commit the wait ends at its timeout and says so', async () => {
    await expect(waitForCommit(5)).resolves.toBe(false);
  });

  it('a commit signalled since the noted generation ends the wait at once: a poll in progress never misses it', async () => {
    const noted = commitGeneration();
    signalCommitted(); // committed while the poller was reading
    const started = performance.now();
    await expect(waitForCommit(10_000, { since: noted })).resolves.toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('with no commit since the noted generation the poller waits for the next one', async () => {
    const noted = commitGeneration();
    let woken = false;
    const waiting = waitForCommit(10_000, { since: noted }).then((signalled) => (woken = signalled));
    await new Promise((resolve) => setImmediate(resolve));
    expect(woken).toBe(false);
    signalCommitted();
    await waiting;
    expect(woken).toBe(true);
  });

  it('a wake-up waits until notBefore, so a burst of commits is read in one poll', async () => {
    const notBefore = performance.now() + 30;
    const waiting = waitForCommit(10_000, { notBefore });
    signalCommitted();
    await waiting;
    // Node timers run on the event loop's cached millisecond clock: they may fire up to a couple of ms early.
    expect(performance.now()).toBeGreaterThanOrEqual(notBefore - 3);
  });

  it('a timeout does not wait for notBefore', async () => {
    const notBefore = performance.now() + 60_000;
    await expect(waitForCommit(5, { notBefore })).resolves.toBe(false);
  });

  it('the timers channel wakes only on a commit after a timer due now was noted', async () => {
    const noted = commitGeneration('timers');
    signalCommitted();
    expect(commitGeneration('timers')).toBe(noted);
    await expect(waitForCommit(5, { channel: 'timers', since: noted })).resolves.toBe(false);

    const waiting = waitForCommit(10_000, { channel: 'timers', since: noted });
    noteTimerDue();
    signalCommitted();
    await expect(waiting).resolves.toBe(true);
    expect(commitGeneration('timers')).toBe(noted + 1);
  });

  it('a commit that stored no events leaves the event pollers asleep and still wakes the timer worker when due', async () => {
    const [events, timers] = [commitGeneration('events'), commitGeneration('timers')];
    noteTimerDue();
    signalCommitted({ events: false });
    expect(commitGeneration('events')).toBe(events);
    expect(commitGeneration('timers')).toBe(timers + 1);
    signalCommitted({ events: true });
    expect(commitGeneration('events')).toBe(events + 1);
  });

  it("a transaction's stored events are told once, per connection", () => {
    const [mine, other] = [{}, {}];
    noteEventsStored(mine);
    noteEventsStored(mine);
    expect(takeEventsStored(other)).toBe(false);
    expect(takeEventsStored(mine)).toBe(true);
    // Asked again (the next transaction on the same pooled connection): nothing stored since.
    expect(takeEventsStored(mine)).toBe(false);
  });

  it('a stopping poller ends its wait at once (abort), without a commit', async () => {
    const stopping = new AbortController();
    const waiting = waitForCommit(60_000, { signal: stopping.signal });
    stopping.abort();
    await expect(waiting).resolves.toBe(false);
    await expect(waitForCommit(60_000, { signal: stopping.signal })).resolves.toBe(false);
  });

  it('a pacer returns at once after a commit during the poll, waits otherwise, and stops and restarts', async () => {
    const pacer = new CommitPacer({ idleMs: 60_000 });
    pacer.pollStarts();
    signalCommitted(); // committed while the poll was reading
    await expect(pacer.waitForMore()).resolves.toBe(true);

    pacer.pollStarts();
    const waiting = pacer.waitForMore();
    pacer.stop();
    await expect(waiting).resolves.toBe(false);

    pacer.restart();
    pacer.pollStarts();
    const again = pacer.waitForMore();
    signalCommitted();
    await expect(again).resolves.toBe(true);
  });

  it('a pacer can wait less than its idle time once (events held back: look again soon)', async () => {
    const pacer = new CommitPacer({ idleMs: 60_000 });
    pacer.pollStarts();
    await expect(pacer.waitForMore(5)).resolves.toBe(false);
  });
});
