import { type Command, type Decider, type DomainEvent } from '@aftersales/domain';

/**
 * Regional alarms (domain.md §3, §5; seed 004 §4.1.1): when more shipments of one region than the tenant's threshold
 * stall or get lost within one window (weather, holidays, a carrier outage), incidents is told once for that tenant,
 * region and window. Windows are fixed spans of `windowHours` counted from the Unix epoch, so every replica agrees on
 * them without coordination.
 */
export interface AlarmWindow {
  readonly startedAt: string;
  readonly endsAt: string;
}

export function alarmWindowOf(at: string, windowHours: number): AlarmWindow {
  const span = windowHours * 3_600_000;
  const start = Math.floor(new Date(at).getTime() / span) * span;
  return { startedAt: new Date(start).toISOString(), endsAt: new Date(start + span).toISOString() };
}

/** What happened in a region within a window, as counted. */
export interface RegionalTally {
  readonly stalledShipments: number;
  readonly lostShipments: number;
  /** Distinct shipments stalled or lost. */
  readonly shipments: number;
  readonly affectedCustomers: number;
  readonly carriers: readonly string[];
  readonly caseIds: readonly string[];
}

export type RaiseRegionalAlarm = Command<
  'RaiseRegionalAlarm',
  {
    readonly alarmId: string;
    readonly region: string;
    readonly window: AlarmWindow;
    readonly tally: RegionalTally;
    readonly threshold: number;
  }
>;

export type RegionalAlarmRaised = DomainEvent<
  'RegionalAlarmRaised',
  RaiseRegionalAlarm['data'] & { readonly tenant: string; readonly raisedAt: string }
>;

export type RegionalAlarmState = { readonly status: 'quiet' } | { readonly status: 'raised'; readonly at: string };

/** More shipments than the threshold, once per window: a second crossing in the same window raises nothing. */
export const regionalAlarmDecider = {
  decide: ({ data, context }: RaiseRegionalAlarm, state: RegionalAlarmState): RegionalAlarmRaised[] => {
    if (state.status === 'raised' || data.tally.shipments <= data.threshold) return [];
    return [
      { type: 'RegionalAlarmRaised', data: { ...data, tenant: context.tenant, raisedAt: context.now.toISOString() } },
    ];
  },
  evolve: (_: RegionalAlarmState, event: RegionalAlarmRaised): RegionalAlarmState => ({
    status: 'raised',
    at: event.data.raisedAt,
  }),
  initialState: (): RegionalAlarmState => ({ status: 'quiet' }),
} satisfies Decider<RegionalAlarmState, RaiseRegionalAlarm, RegionalAlarmRaised>;
