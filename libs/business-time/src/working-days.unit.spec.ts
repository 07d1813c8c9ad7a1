import { DEFAULT_BUSINESS_CALENDAR, type BusinessCalendar } from './calendar';
import { InvalidDuration } from './errors';
import { addWorkingDays, workingDayMs } from './working-days';

const officeHours: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [{ start: '09:00', end: '17:30' }],
  holidays: ['2026-03-10'],
};

describe('working days', () => {
  it('measures a working day as the union of its shifts (overlaps once, a night shift across midnight whole)', () => {
    expect(workingDayMs(DEFAULT_BUSINESS_CALENDAR)).toBe(13.5 * 3_600_000); // 09:00–17:30 ∪ 13:30–22:30
    expect(workingDayMs(officeHours)).toBe(8.5 * 3_600_000);
    const nights: BusinessCalendar = { ...officeHours, shifts: [{ start: '22:00', end: '06:00' }] };
    expect(workingDayMs(nights)).toBe(8 * 3_600_000);
  });

  it('adds working days on the calendar: weekends and holidays do not count', () => {
    // Friday 6 March 18:00 (after hours) + 2 working days: Monday 9 March, then Tuesday 10 is a holiday → Wednesday 17:30.
    expect(addWorkingDays(officeHours, new Date('2026-03-06T18:00:00+01:00'), 2).toISOString()).toBe(
      '2026-03-11T16:30:00.000Z',
    );
    // Monday 10:00 + 1 working day → Tuesday 10:00, but Tuesday is a holiday → Wednesday 10:00.
    expect(addWorkingDays(officeHours, new Date('2026-03-09T10:00:00+01:00'), 1).toISOString()).toBe(
      '2026-03-11T09:00:00.000Z',
    );
    expect(addWorkingDays(officeHours, new Date('2026-03-09T10:00:00+01:00'), 0).toISOString()).toBe(
      '2026-03-09T09:00:00.000Z',
    );
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => addWorkingDays(officeHours, Date.UTC(2026, 2, 9), -1)).toThrow(InvalidDuration);
    expect(() => addWorkingDays(officeHours, Date.UTC(2026, 2, 9), 1.5)).toThrow(InvalidDuration);
  });
});
