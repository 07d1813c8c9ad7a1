import {
  assertValidBusinessCalendar,
  DEFAULT_BUSINESS_CALENDAR,
  validateBusinessCalendar,
  type BusinessCalendar,
} from '@aftersales/business-time';

const valid: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [{ start: '09:00', end: '17:30' }],
  holidays: ['2026-12-25'],
  extraWorkingDays: ['2026-12-19'],
};

const withField = (field: string, value: unknown): unknown => ({ ...valid, [field]: value });

describe('business calendar validation', () => {
  it('accepts the default calendar and a typical office calendar', () => {
    expect(validateBusinessCalendar(DEFAULT_BUSINESS_CALENDAR)).toEqual([]);
    expect(validateBusinessCalendar(valid)).toEqual([]);
    expect(() => assertValidBusinessCalendar(valid)).not.toThrow();
  });

  it('states the shop rules of seed 001 as the default', () => {
    // CONTEXT: 001_b9512cd4d57d9bcd.txt 客服行为准则 §1 — day shift 9:00–17:30, evening shift 13:30–22:30, two rest
    // days a month per agent on a roster (the desk itself is open every day).
    expect(DEFAULT_BUSINESS_CALENDAR).toEqual({
      timeZone: 'Asia/Shanghai',
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      shifts: [
        { start: '09:00', end: '17:30' },
        { start: '13:30', end: '22:30' },
      ],
      holidays: [],
    });
    expect(Object.isFrozen(DEFAULT_BUSINESS_CALENDAR.shifts)).toBe(true);
  });

  it.each([
    ['not an object', null, [{ pointer: '/', detail: 'must be an object' }]],
    [
      'a fixed offset instead of a time zone',
      withField('timeZone', '+08:00'),
      [{ pointer: '/timeZone', detail: 'must be an IANA time zone name, e.g. Asia/Shanghai' }],
    ],
    [
      'an unknown time zone',
      withField('timeZone', 'Europe/Atlantis'),
      [{ pointer: '/timeZone', detail: 'must be an IANA time zone name, e.g. Asia/Shanghai' }],
    ],
    [
      'no working day',
      withField('workingDays', []),
      [{ pointer: '/workingDays', detail: 'must name at least one weekday' }],
    ],
    [
      'weekday 0 and a repeated weekday',
      withField('workingDays', [0, 1, 1]),
      [
        { pointer: '/workingDays/0', detail: 'must be an ISO weekday from 1 (Monday) to 7 (Sunday)' },
        { pointer: '/workingDays/2', detail: 'repeats weekday 1' },
      ],
    ],
    ['no shift', withField('shifts', []), [{ pointer: '/shifts', detail: 'must name at least one shift' }]],
    [
      'a time without its leading zero, and 24:00',
      withField('shifts', [{ start: '9:00', end: '24:00' }]),
      [
        { pointer: '/shifts/0/start', detail: 'must be a time HH:MM from 00:00 to 23:59' },
        { pointer: '/shifts/0/end', detail: 'must be a time HH:MM from 00:00 to 23:59' },
      ],
    ],
    [
      'the same shift twice',
      withField('shifts', [
        { start: '09:00', end: '12:00' },
        { start: '09:00', end: '12:00' },
      ]),
      [{ pointer: '/shifts/1', detail: 'repeats the shift 09:00–12:00' }],
    ],
    [
      'a shift that is not an object',
      withField('shifts', ['09:00-17:30']),
      [{ pointer: '/shifts/0', detail: 'must be a shift { start: HH:MM, end: HH:MM }' }],
    ],
    [
      'an impossible date and a repeated holiday',
      withField('holidays', ['2026-02-30', '2026-12-25', '2026-12-25']),
      [
        { pointer: '/holidays/0', detail: 'must be a date YYYY-MM-DD from 1900 on' },
        { pointer: '/holidays/2', detail: 'repeats 2026-12-25' },
      ],
    ],
    [
      'holidays that are not a list',
      withField('holidays', '2026-12-25'),
      [{ pointer: '/holidays', detail: 'must be a list of local dates YYYY-MM-DD' }],
    ],
    [
      'an extra working day that is a holiday, and one on a working weekday',
      withField('extraWorkingDays', ['2026-12-25', '2026-12-21']),
      [
        { pointer: '/extraWorkingDays/0', detail: '2026-12-25 is also a holiday' },
        { pointer: '/extraWorkingDays/1', detail: '2026-12-21 falls on a working weekday (1) already' },
      ],
    ],
  ])('reports %s', (_what, candidate, errors) => {
    expect(validateBusinessCalendar(candidate)).toEqual(errors);
    expect(() => assertValidBusinessCalendar(candidate)).toThrow(
      expect.objectContaining({ code: 'BUSINESS_CALENDAR.INVALID', errors }),
    );
  });

  it('accepts a shift crossing midnight and a whole-day shift (end <= start)', () => {
    expect(
      validateBusinessCalendar({
        ...valid,
        shifts: [
          { start: '22:00', end: '06:00' },
          { start: '00:00', end: '00:00' },
        ],
      }),
    ).toEqual([]);
  });
});
