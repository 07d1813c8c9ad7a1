import type { BusinessCalendar } from '@aftersales/business-time';

/**
 * A desk staffed around the clock (every day, one shift from midnight to midnight, no holidays): with it in a tenant's
 * SLA policy, whenever a test runs, intake does not acknowledge an opening off hours on its own (sla-clocks.int.spec.ts
 * proves that it does outside business hours), so a case holds exactly the events the test's steps ask for.
 */
export const aroundTheClock: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  shifts: [{ start: '00:00', end: '00:00' }],
  holidays: [],
};
