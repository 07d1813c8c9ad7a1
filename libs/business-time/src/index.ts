/**
 * Business calendars and clock arithmetic, pure (no I/O, no clock of its own, no framework): when a tenant's desk is
 * staffed, how much business time lies between two instants, when a budget of business time runs out, and SLA clocks
 * as plain data for event-sourced state. Domain code of any service may import it (see README.md).
 */
export {
  assertValidBusinessCalendar,
  DEFAULT_BUSINESS_CALENDAR,
  validateBusinessCalendar,
  type BusinessCalendar,
  type IsoWeekday,
  type Shift,
} from './calendar';
export {
  addBusinessTime,
  addTime,
  businessIntervals,
  businessTimeBetween,
  isBusinessTime,
  localDateOf,
  nextBusinessInstant,
  timeBetween,
  type BusinessInterval,
  type ClockBasis,
  type Instant,
} from './business-time';
export { addWorkingDays, workingDayMs } from './working-days';
export {
  SlaClock,
  type MetSlaClock,
  type PausedSlaClock,
  type RunningSlaClock,
  type SlaClockRun,
  type SlaClockStatus,
  type SlaTarget,
} from './sla-clock';
export {
  BusinessCalendarInvalid,
  InvalidDuration,
  InvalidInstant,
  SlaClockAlreadyBreached,
  SlaClockAlreadyMet,
  SlaClockAlreadyPaused,
  SlaClockAlreadyWarned,
  SlaClockHasNoWarning,
  SlaClockNotPaused,
  SlaClockTimeReversed,
  SlaTargetInvalid,
  SlaThresholdNotReached,
  type CalendarFieldError,
} from './errors';
