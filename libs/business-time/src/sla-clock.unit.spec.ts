import { DEFAULT_BUSINESS_CALENDAR as calendar, SlaClock, type SlaTarget } from '@aftersales/business-time';

// All examples run on the default calendar: Asia/Shanghai, staffed 09:00–22:30 every day (seed 001).
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Local time in Shanghai. */
const sh = (local: string) => new Date(`${local}+08:00`);

/** After-sales application: first response within 1 working hour (seed 002 §1), warned at 80 %. */
const application: SlaTarget = { id: 'first-response', budgetMs: HOUR, basis: 'business', warnAtShare: 0.8 };
/** Chat: first response within 15 s of wall time (shop rule). */
const chat: SlaTarget = { id: 'first-response', budgetMs: 15_000, basis: 'elapsed' };

/** Opened Saturday 22:00: 30 min before the desk closes, the other 30 min from Sunday 09:00. */
const openedLateSaturday = () => SlaClock.start(application, sh('2026-03-07T22:00:00'));

describe('SLA clock', () => {
  describe('running', () => {
    it('is due when its budget of business time is used: Saturday 22:00 + 1 working hour = Sunday 09:30', () => {
      const clock = openedLateSaturday();
      expect(clock.status).toBe('active');
      expect(SlaClock.dueAt(clock, calendar)).toEqual(sh('2026-03-08T09:30:00'));
      // 80 % = 48 min: 30 min on Saturday, 18 min on Sunday.
      expect(SlaClock.warnAt(clock, calendar)).toEqual(sh('2026-03-08T09:18:00'));
    });

    it('uses no budget while the desk is closed', () => {
      const clock = openedLateSaturday();
      expect(SlaClock.consumed(clock, calendar, sh('2026-03-08T08:59:00'))).toBe(30 * MINUTE);
      expect(SlaClock.remaining(clock, calendar, sh('2026-03-08T09:10:00'))).toBe(20 * MINUTE);
      expect(SlaClock.remaining(clock, calendar, sh('2026-03-08T10:00:00'))).toBe(-30 * MINUTE);
    });

    it('is breached from its due instant on, before and after the breach is recorded', () => {
      const clock = openedLateSaturday();
      expect(SlaClock.breached(clock, calendar, sh('2026-03-08T09:29:59'))).toBe(false);
      expect(SlaClock.statusAt(clock, calendar, sh('2026-03-08T09:29:59'))).toBe('active');
      expect(SlaClock.breached(clock, calendar, sh('2026-03-08T09:30:00'))).toBe(true);
      expect(SlaClock.statusAt(clock, calendar, sh('2026-03-08T09:30:00'))).toBe('breached');
    });

    it('counts wall time on the elapsed basis: a chat at 23:00 is due 15 s later, desk closed or not', () => {
      const clock = SlaClock.start(chat, sh('2026-03-07T23:00:00'));
      expect(SlaClock.dueAt(clock, calendar)).toEqual(sh('2026-03-07T23:00:15'));
      expect(SlaClock.warnAt(clock, calendar)).toBeNull();
    });
  });

  describe('paused while waiting on the customer', () => {
    // Paused Sunday 09:10 (40 min used), resumed 12:00: the 20 min left run 12:00–12:20.
    const paused = () => SlaClock.pause(openedLateSaturday(), sh('2026-03-08T09:10:00'));
    const resumed = () => SlaClock.resume(paused(), sh('2026-03-08T12:00:00'));

    it('uses nothing during the pause and has no due time until resumed', () => {
      const clock = paused();
      expect(clock.status).toBe('paused');
      expect(SlaClock.consumed(clock, calendar, sh('2026-03-08T09:10:00'))).toBe(40 * MINUTE);
      expect(SlaClock.consumed(clock, calendar, sh('2026-03-08T11:59:00'))).toBe(40 * MINUTE);
      expect(SlaClock.dueAt(clock, calendar)).toBeNull();
      expect(SlaClock.statusAt(clock, calendar, sh('2026-03-08T18:00:00'))).toBe('paused');
    });

    it('is due later by the paused business time once resumed', () => {
      const clock = resumed();
      expect(clock).toMatchObject({
        status: 'active',
        runs: [{ from: sh('2026-03-07T22:00:00').toISOString(), until: sh('2026-03-08T09:10:00').toISOString() }],
        runningSince: sh('2026-03-08T12:00:00').toISOString(),
      });
      expect(SlaClock.dueAt(clock, calendar)).toEqual(sh('2026-03-08T12:20:00'));
      // The 80 % mark (48 min) had not been reached by the pause (40 min): it moves too, 8 min into the new run.
      expect(SlaClock.warnAt(clock, calendar)).toEqual(sh('2026-03-08T12:08:00'));
    });

    it('refuses a second pause and resuming a running clock, naming the rule', () => {
      expect(() => SlaClock.pause(paused(), sh('2026-03-08T09:20:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.ALREADY_PAUSED', kind: 'conflict' }),
      );
      expect(() => SlaClock.resume(openedLateSaturday(), sh('2026-03-08T09:20:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.NOT_PAUSED', kind: 'conflict' }),
      );
    });

    it('refuses changes dated before its latest start, pause or resume', () => {
      expect(() => SlaClock.resume(paused(), sh('2026-03-08T09:00:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.TIME_REVERSED' }),
      );
      expect(() => SlaClock.pause(openedLateSaturday(), sh('2026-03-07T21:59:59'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.TIME_REVERSED' }),
      );
    });
  });

  describe('met', () => {
    it('is met on time before it is due, and stops using budget', () => {
      const clock = SlaClock.meet(openedLateSaturday(), calendar, sh('2026-03-08T09:20:00'));
      expect(clock).toMatchObject({ status: 'met', late: false, breachedAt: null });
      expect(clock.metAt).toBe(sh('2026-03-08T09:20:00').toISOString());
      expect(SlaClock.consumed(clock, calendar, sh('2026-03-09T12:00:00'))).toBe(50 * MINUTE);
      expect(SlaClock.breached(clock, calendar, sh('2026-03-09T12:00:00'))).toBe(false);
      expect(SlaClock.dueAt(clock, calendar)).toBeNull();
    });

    it('is met late at or after its due instant, recording when it fell due', () => {
      for (const metAt of ['2026-03-08T09:30:00', '2026-03-08T23:00:00']) {
        const clock = SlaClock.meet(openedLateSaturday(), calendar, sh(metAt));
        expect(clock).toMatchObject({ status: 'met', late: true, breachedAt: sh('2026-03-08T09:30:00').toISOString() });
        expect(SlaClock.breached(clock, calendar, sh(metAt))).toBe(true);
      }
    });

    it('can be met while paused', () => {
      const paused = SlaClock.pause(openedLateSaturday(), sh('2026-03-08T09:10:00'));
      const clock = SlaClock.meet(paused, calendar, sh('2026-03-08T15:00:00'));
      expect(clock).toMatchObject({ status: 'met', late: false, metAt: sh('2026-03-08T15:00:00').toISOString() });
      expect(SlaClock.consumed(clock, calendar, sh('2026-03-08T15:00:00'))).toBe(40 * MINUTE);
    });

    it('is final', () => {
      const met = SlaClock.meet(openedLateSaturday(), calendar, sh('2026-03-08T09:20:00'));
      const later = sh('2026-03-08T10:00:00');
      for (const change of [
        () => SlaClock.pause(met, later),
        () => SlaClock.resume(met, later),
        () => SlaClock.meet(met, calendar, later),
        () => SlaClock.recordWarning(met, calendar, later),
        () => SlaClock.recordBreach(met, calendar, later),
      ])
        expect(change).toThrow(expect.objectContaining({ code: 'SLA_CLOCK.ALREADY_MET', kind: 'conflict' }));
    });
  });

  describe('warning and breach, recorded once when their timers fire', () => {
    it('records the warning at the 80 % mark, once, and not before', () => {
      expect(() => SlaClock.recordWarning(openedLateSaturday(), calendar, sh('2026-03-08T09:17:59'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.WARNING_NOT_DUE' }),
      );
      // The timer fired late (09:25): the warning is still dated at the mark.
      const warned = SlaClock.recordWarning(openedLateSaturday(), calendar, sh('2026-03-08T09:25:00'));
      expect(warned).toMatchObject({ status: 'active', warnedAt: sh('2026-03-08T09:18:00').toISOString() });
      expect(() => SlaClock.recordWarning(warned, calendar, sh('2026-03-08T09:26:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.ALREADY_WARNED' }),
      );
      const noShare = SlaClock.start(
        { id: 'resolution', budgetMs: HOUR, basis: 'business' },
        sh('2026-03-08T10:00:00'),
      );
      expect(() => SlaClock.recordWarning(noShare, calendar, sh('2026-03-08T12:00:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.NO_WARNING' }),
      );
    });

    it('records the breach at the due instant, once, and not before; the clock runs on overdue', () => {
      expect(() => SlaClock.recordBreach(openedLateSaturday(), calendar, sh('2026-03-08T09:29:59'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.NOT_DUE', kind: 'conflict' }),
      );
      const breached = SlaClock.recordBreach(openedLateSaturday(), calendar, sh('2026-03-08T09:31:00'));
      expect(breached).toMatchObject({ status: 'breached', breachedAt: sh('2026-03-08T09:30:00').toISOString() });
      expect(SlaClock.remaining(breached, calendar, sh('2026-03-08T10:30:00'))).toBe(-HOUR);
      expect(() => SlaClock.recordBreach(breached, calendar, sh('2026-03-08T09:32:00'))).toThrow(
        expect.objectContaining({ code: 'SLA_CLOCK.ALREADY_BREACHED' }),
      );
      const met = SlaClock.meet(breached, calendar, sh('2026-03-08T11:00:00'));
      expect(met).toMatchObject({ status: 'met', late: true, breachedAt: sh('2026-03-08T09:30:00').toISOString() });
    });

    it('keeps a breached clock breached across a pause', () => {
      const breached = SlaClock.recordBreach(openedLateSaturday(), calendar, sh('2026-03-08T09:31:00'));
      const paused = SlaClock.pause(breached, sh('2026-03-08T10:00:00'));
      expect(paused).toMatchObject({ status: 'paused', breachedAt: sh('2026-03-08T09:30:00').toISOString() });
      expect(SlaClock.resume(paused, sh('2026-03-08T11:00:00')).status).toBe('breached');
    });

    it('records the breach of a clock paused after its budget ran out, and leaves it paused', () => {
      // Budget ran out at 09:30; the clock was paused at 10:00, before the breach timer fired at 10:05.
      const paused = SlaClock.pause(openedLateSaturday(), sh('2026-03-08T10:00:00'));
      const breached = SlaClock.recordBreach(paused, calendar, sh('2026-03-08T10:05:00'));
      expect(breached).toMatchObject({ status: 'paused', breachedAt: sh('2026-03-08T09:30:00').toISOString() });
      expect(SlaClock.dueAt(paused, calendar)).toEqual(sh('2026-03-08T09:30:00'));
    });
  });

  it('runs the worked example of the README: opened Saturday 22:00, paused for the customer, met on time', () => {
    let clock: SlaClock = SlaClock.start(application, sh('2026-03-07T22:00:00'));
    expect(SlaClock.dueAt(clock, calendar)).toEqual(sh('2026-03-08T09:30:00'));
    expect(SlaClock.warnAt(clock, calendar)).toEqual(sh('2026-03-08T09:18:00'));
    clock = SlaClock.pause(clock, sh('2026-03-08T09:10:00'));
    expect(SlaClock.consumed(clock, calendar, sh('2026-03-08T09:10:00'))).toBe(40 * MINUTE);
    expect(SlaClock.dueAt(clock, calendar)).toBeNull();
    clock = SlaClock.resume(clock, sh('2026-03-08T12:00:00'));
    expect(SlaClock.dueAt(clock, calendar)).toEqual(sh('2026-03-08T12:20:00'));
    clock = SlaClock.meet(clock, calendar, sh('2026-03-08T12:10:00'));
    expect(clock).toMatchObject({ status: 'met', late: false, breachedAt: null, metAt: '2026-03-08T04:10:00.000Z' });
  });

  it('is plain data: it survives JSON as it is', () => {
    let clock: SlaClock = openedLateSaturday();
    clock = SlaClock.recordWarning(clock, calendar, sh('2026-03-08T09:18:00'));
    clock = SlaClock.pause(clock, sh('2026-03-08T09:20:00'));
    clock = SlaClock.resume(clock, sh('2026-03-08T12:00:00'));
    const copy = JSON.parse(JSON.stringify(clock)) as SlaClock;
    expect(copy).toEqual(clock);
    expect(SlaClock.dueAt(copy, calendar)).toEqual(sh('2026-03-08T12:10:00'));
  });

  it.each([
    ['an empty id', { ...application, id: ' ' }],
    ['a zero budget', { ...application, budgetMs: 0 }],
    ['a fractional budget', { ...application, budgetMs: 1.5 }],
    ['an unknown basis', { ...application, basis: 'weekdays' as never }],
    ['a warning share of 1', { ...application, warnAtShare: 1 }],
    ['a warning share of 0', { ...application, warnAtShare: 0 }],
  ])('refuses a target with %s', (_what, target) => {
    expect(() => SlaClock.start(target, sh('2026-03-08T10:00:00'))).toThrow(
      expect.objectContaining({ code: 'SLA_CLOCK.INVALID_TARGET', kind: 'invalid' }),
    );
  });
});
