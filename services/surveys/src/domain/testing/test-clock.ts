/** A clock the test moves by hand; deciders never read one, the tests put `now()` into each command's context. */
export class TestClock {
  private ms: number;

  constructor(start = '2026-11-25T08:00:00.000Z') {
    this.ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(minutes: number): this {
    this.ms += minutes * 60_000;
    return this;
  }
}
