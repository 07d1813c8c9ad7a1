import { DomainError } from '@aftersales/domain';

/** One offending field of a business calendar: a JSON pointer into it and what is wrong with it. */
export interface CalendarFieldError {
  readonly pointer: string;
  readonly detail: string;
}

/** A calendar that {@link validateBusinessCalendar} refuses was given to clock arithmetic. */
export class BusinessCalendarInvalid extends DomainError {
  constructor(readonly errors: readonly CalendarFieldError[]) {
    super(
      'BUSINESS_CALENDAR.INVALID',
      'invalid',
      `The business calendar is invalid: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
      'A business calendar names an IANA time zone, at least one working weekday, at least one shift (HH:MM–HH:MM) and distinct holidays (YYYY-MM-DD)',
    );
  }
}

/** An instant that is not a valid date, or outside the years the library computes with. */
export class InvalidInstant extends DomainError {
  constructor(what: string, value: unknown) {
    super(
      'BUSINESS_TIME.INVALID_INSTANT',
      'invalid',
      `${what} must be an instant between 1900-01-01 and 9999-12-30 (got ${String(value)})`,
    );
  }
}

/** A duration that is not a whole, non-negative number of milliseconds. */
export class InvalidDuration extends DomainError {
  constructor(value: unknown) {
    super(
      'BUSINESS_TIME.INVALID_DURATION',
      'invalid',
      `A duration must be a whole, non-negative number of milliseconds (got ${String(value)})`,
    );
  }
}

/** A clock target without an id, with a budget that is not a positive whole number of ms, or a share outside (0, 1). */
export class SlaTargetInvalid extends DomainError {
  constructor(detail: string) {
    super(
      'SLA_CLOCK.INVALID_TARGET',
      'invalid',
      `The SLA target is invalid: ${detail}`,
      'An SLA target has an id, a positive budget in whole milliseconds, a basis (business or elapsed) and an optional warning share between 0 and 1',
    );
  }
}

export class SlaClockAlreadyPaused extends DomainError {
  constructor(targetId: string, since: string) {
    super(
      'SLA_CLOCK.ALREADY_PAUSED',
      'conflict',
      `The ${targetId} clock is already paused (since ${since})`,
      'A paused clock is resumed before it can be paused again',
    );
  }
}

export class SlaClockNotPaused extends DomainError {
  constructor(targetId: string) {
    super(
      'SLA_CLOCK.NOT_PAUSED',
      'conflict',
      `The ${targetId} clock is running, not paused`,
      'Only a paused clock can be resumed',
    );
  }
}

export class SlaClockAlreadyMet extends DomainError {
  constructor(targetId: string, metAt: string) {
    super(
      'SLA_CLOCK.ALREADY_MET',
      'conflict',
      `The ${targetId} clock was met at ${metAt}`,
      'A met clock is final: it is neither paused, resumed, warned, breached nor met again',
    );
  }
}

export class SlaClockAlreadyBreached extends DomainError {
  constructor(targetId: string, breachedAt: string) {
    super(
      'SLA_CLOCK.ALREADY_BREACHED',
      'conflict',
      `The ${targetId} clock's breach was recorded already (due ${breachedAt})`,
      'A breach is recorded once',
    );
  }
}

export class SlaClockAlreadyWarned extends DomainError {
  constructor(targetId: string, warnedAt: string) {
    super(
      'SLA_CLOCK.ALREADY_WARNED',
      'conflict',
      `The ${targetId} clock's warning was recorded already (at ${warnedAt})`,
      'A warning is recorded once',
    );
  }
}

export class SlaClockHasNoWarning extends DomainError {
  constructor(targetId: string) {
    super(
      'SLA_CLOCK.NO_WARNING',
      'conflict',
      `The ${targetId} target sets no warning share`,
      'Only a target with a warning share warns',
    );
  }
}

/** A warning or breach recorded before the clock has used that much of its budget. */
export class SlaThresholdNotReached extends DomainError {
  constructor(targetId: string, threshold: 'warning' | 'breach', consumedMs: number, thresholdMs: number) {
    super(
      threshold === 'breach' ? 'SLA_CLOCK.NOT_DUE' : 'SLA_CLOCK.WARNING_NOT_DUE',
      'conflict',
      `The ${targetId} clock has used ${consumedMs} ms of the ${thresholdMs} ms at which its ${threshold} is due`,
      threshold === 'breach'
        ? 'A clock is breached once it has used its whole budget without being met'
        : 'A clock warns once it has used its warning share of the budget',
    );
  }
}

/** A pause, resume or meet dated before the clock's latest pause, resume or start. */
export class SlaClockTimeReversed extends DomainError {
  constructor(targetId: string, at: string, latest: string) {
    super(
      'SLA_CLOCK.TIME_REVERSED',
      'invalid',
      `The ${targetId} clock changed at ${latest}; a change at ${at} would be earlier`,
      "A clock's changes are dated in order",
    );
  }
}
