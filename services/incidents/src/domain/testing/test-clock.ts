/** A clock the test moves by hand; the deciders never read one, the tests put its `now()` into commands. */
export class TestClock {
  private currentMs: number;

  constructor(start: string | Date = '2026-11-25T08:00:00.000Z') {
    this.currentMs = new Date(start).getTime();
  }

  /** The current time, as a fresh `Date`. */
  now(): Date {
    return new Date(this.currentMs);
  }

  /** Moves the clock forward (or back, with negative amounts). */
  advance({ hours = 0, minutes = 0, seconds = 0 }: { hours?: number; minutes?: number; seconds?: number }): this {
    this.currentMs += ((hours * 60 + minutes) * 60 + seconds) * 1000;
    return this;
  }

  /** `now()` shifted by an amount, without moving the clock. */
  in(amount: { hours?: number; minutes?: number; seconds?: number }): Date {
    const { hours = 0, minutes = 0, seconds = 0 } = amount;
    return new Date(this.currentMs + ((hours * 60 + minutes) * 60 + seconds) * 1000);
  }
}
