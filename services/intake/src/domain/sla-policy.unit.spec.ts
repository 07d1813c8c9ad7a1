import { specOf } from '@aftersales/testing/decider';
import type { CommandContext } from '@aftersales/domain';
import { DEFAULT_BUSINESS_CALENDAR } from '@aftersales/business-time';
import {
  budgetMs,
  defaultSlaPolicy,
  InvalidSlaPolicy,
  slaPolicyDecider,
  slaPolicyOf,
  targetFor,
  validateSlaPolicy,
  workingDayMs,
  type SetSlaPolicy,
  type SlaFacts,
  type SlaPolicy,
} from './sla-policy';

const given = specOf(slaPolicyDecider);
const context: CommandContext = {
  tenant: 'shop-1',
  actor: { id: 'manager-1', roles: ['cs-manager'] },
  now: new Date('2026-11-25T10:00:00.000Z'),
};
const set = (policy: SlaPolicy): SetSlaPolicy => ({ type: 'SetSlaPolicy', context, data: policy });
const HOUR = 3_600_000;
const chat: SlaFacts = { channel: 'chat', category: 'quality', priority: 'normal', offHours: false };

describe('SLA policy (per tenant)', () => {
  describe('the defaults, from the seeds', () => {
    const target = (clock: Parameters<typeof targetFor>[1], facts: Partial<SlaFacts> = {}) => {
      const rule = targetFor(defaultSlaPolicy, clock, { ...chat, ...facts });
      return rule && { basis: rule.basis, ms: budgetMs(rule.budget, defaultSlaPolicy.calendar) };
    };

    it('a tenant without a policy runs on them, on the shop rules’ calendar (seed 001 §1)', () => {
      expect(slaPolicyOf(slaPolicyDecider.initialState())).toBe(defaultSlaPolicy);
      expect(defaultSlaPolicy.calendar).toBe(DEFAULT_BUSINESS_CALENDAR);
      expect(defaultSlaPolicy.warningShare).toBe(0.8);
    });

    it('first response: chat 15 s elapsed (seed 001), an after-sales application 1 working hour (seed 002 §1.1), off hours 1 working hour', () => {
      expect(target('first_response')).toEqual({ basis: 'elapsed', ms: 15_000 });
      expect(target('first_response', { channel: 'order-page' })).toEqual({ basis: 'business', ms: HOUR });
      expect(target('first_response', { channel: 'email' })).toEqual({ basis: 'business', ms: HOUR });
      expect(target('first_response', { offHours: true })).toEqual({ basis: 'business', ms: HOUR });
    });

    it('next response, first dispatch (4 working hours), resolution of simple cases (8), progress of complex ones (a working day: 13 h 30)', () => {
      expect(target('next_response')).toEqual({ basis: 'elapsed', ms: 60_000 });
      expect(target('next_response', { channel: 'phone' })).toEqual({ basis: 'business', ms: HOUR });
      expect(target('first_dispatch')).toEqual({ basis: 'business', ms: 4 * HOUR });
      expect(target('resolution', { category: 'order-change' })).toEqual({ basis: 'business', ms: 8 * HOUR });
      expect(target('resolution', { category: 'quality' })).toBeUndefined();
      expect(target('progress_update')).toEqual({ basis: 'business', ms: 13.5 * HOUR });
      expect(defaultSlaPolicy.escalation.ladder).toEqual([
        { rung: 'supervisor', afterBreach: { amount: 0, unit: 'hours' } },
        { rung: 'complaint_team', afterBreach: { amount: 2, unit: 'hours' } },
      ]);
    });
  });

  it('a working day is the union of the calendar’s shifts, night shifts included', () => {
    expect(workingDayMs(DEFAULT_BUSINESS_CALENDAR)).toBe(13.5 * HOUR);
    const night = {
      ...DEFAULT_BUSINESS_CALENDAR,
      shifts: [
        { start: '22:00', end: '06:00' },
        { start: '05:00', end: '07:00' },
      ],
    };
    expect(workingDayMs(night)).toBe(9 * HOUR);
    const allDay = { ...DEFAULT_BUSINESS_CALENDAR, shifts: [{ start: '00:00', end: '00:00' }] };
    expect(workingDayMs(allDay)).toBe(24 * HOUR);
  });

  it('records who set it, when, and what it replaced; the same policy again changes nothing', () => {
    const policy: SlaPolicy = { ...defaultSlaPolicy, warningShare: 0.75 };
    given([])
      .when(set(policy))
      .then([
        {
          type: 'SlaPolicySet',
          data: {
            tenant: 'shop-1',
            policy,
            previous: defaultSlaPolicy,
            at: '2026-11-25T10:00:00.000Z',
            by: 'manager-1',
          },
        },
      ]);
    const history = [
      {
        type: 'SlaPolicySet' as const,
        data: { tenant: 'shop-1', policy, previous: defaultSlaPolicy, at: '2026-11-25T10:00:00.000Z', by: 'manager-1' },
      },
    ];
    given(history).when(set(policy)).thenNothing();
  });

  it('refuses an invalid calendar, budgets and ladder, naming each field', () => {
    const invalid: SlaPolicy = {
      ...defaultSlaPolicy,
      calendar: { ...DEFAULT_BUSINESS_CALENDAR, timeZone: 'Mars/Olympus', workingDays: [] },
      warningShare: 1,
      targets: [
        { clock: 'first_response', when: {}, budget: { amount: 0, unit: 'seconds' }, basis: 'elapsed' },
        { clock: 'progress_update', when: {}, budget: { amount: 1, unit: 'working_days' }, basis: 'elapsed' },
        { clock: 'resolution', when: {}, budget: { amount: 9_000, unit: 'hours' }, basis: 'business' },
      ],
      escalation: {
        ladder: [
          { rung: 'supervisor', afterBreach: { amount: 3, unit: 'hours' } },
          { rung: 'complaint_team', afterBreach: { amount: 1, unit: 'hours' } },
        ],
        webhookUrl: null,
      },
    };
    const pointers = validateSlaPolicy(invalid).map((p) => p.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/calendar/timeZone',
        '/calendar/workingDays',
        '/warningShare',
        '/targets/0/budget/amount',
        '/targets/1/budget/unit',
        '/targets/2/budget/amount',
        '/escalation/ladder/1/afterBreach',
      ]),
    );
    given([]).when(set(invalid)).thenThrows(InvalidSlaPolicy, { kind: 'invalid', code: 'SLA_POLICY.INVALID' });
    const reversed = {
      ...defaultSlaPolicy,
      escalation: {
        ladder: [{ rung: 'complaint_team' as const, afterBreach: { amount: 0, unit: 'hours' as const } }],
        webhookUrl: null,
      },
    };
    expect(validateSlaPolicy(reversed).map((p) => p.pointer)).toEqual(['/escalation/ladder/0/rung']);
    expect(validateSlaPolicy(defaultSlaPolicy)).toEqual([]);
  });
});
