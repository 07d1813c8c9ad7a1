import { DomainError, type Command, type Decider, type DomainEvent } from '@aftersales/domain';

/**
 * The tracking rules of a tenant (domain.md §3, seed 003 "shipping process"): a scan within `normalHours` is normal,
 * no scan for `stalledHours` (or stuck at one location for `stuckAtLocationHours`) is stalled, no scan for `lostHours`
 * is lost; and the phase timeouts: no pickup `pickupTimeoutHours` after the carrier was booked, still travelling
 * `transitTimeoutHours` after pickup, out for delivery `awaitingSignatureHours` without a signature. Each tenant may
 * override any of them per carrier and per lane (origin → destination region); the most specific override wins.
 */
export interface TrackingRules {
  readonly normalHours: number;
  readonly stalledHours: number;
  readonly lostHours: number;
  readonly stuckAtLocationHours: number;
  readonly pickupTimeoutHours: number;
  readonly transitTimeoutHours: number;
  readonly awaitingSignatureHours: number;
}

/** Rules for one carrier and/or lane; a null field matches any. */
export interface TrackingOverride {
  readonly carrier: string | null;
  readonly originRegion: string | null;
  readonly destinationRegion: string | null;
  readonly rules: Partial<TrackingRules>;
}

/** The tenant's logistics policy: tracking rules, carriers, regional alarms, large orders, wrong-item thresholds. */
export interface LogisticsPolicy {
  readonly tracking: TrackingRules;
  readonly overrides: readonly TrackingOverride[];
  /** Carriers the tenant ships with, by preference: a lost parcel is reshipped with the first other one. */
  readonly carriers: readonly string[];
  /** More than `threshold` stalled or lost shipments in one region within `windowHours` raise one alarm. */
  readonly regionalAlarm: { readonly threshold: number; readonly windowHours: number };
  /** Orders of at least this many items need their address and packing confirmed before shipping. */
  readonly largeOrderItems: number;
  /** Goods worth at least this (minor units) are "valuable": a wrong item comes back before the exchange ships. */
  readonly valuableGoodsMinor: number;
}

/** domain.md §3's defaults. */
export const defaultLogisticsPolicy: LogisticsPolicy = {
  tracking: {
    normalHours: 24,
    stalledHours: 48,
    lostHours: 72,
    stuckAtLocationHours: 48,
    pickupTimeoutHours: 24,
    transitTimeoutHours: 120,
    awaitingSignatureHours: 24,
  },
  overrides: [],
  carriers: ['SF Express', 'JD Logistics', 'ZTO Express'],
  regionalAlarm: { threshold: 30, windowHours: 6 },
  largeOrderItems: 5,
  valuableGoodsMinor: 50_000,
};

export interface Lane {
  readonly carrier: string | null;
  readonly originRegion: string;
  readonly destinationRegion: string;
}

/** The rules for one shipment: the defaults, then every matching override from the least to the most specific. */
export function trackingRulesFor(policy: LogisticsPolicy, lane: Lane): TrackingRules {
  const matching = policy.overrides
    .filter(
      (o) =>
        (o.carrier === null || o.carrier === lane.carrier) &&
        (o.originRegion === null || o.originRegion === lane.originRegion) &&
        (o.destinationRegion === null || o.destinationRegion === lane.destinationRegion),
    )
    .map((o) => ({ o, specificity: [o.carrier, o.originRegion, o.destinationRegion].filter((f) => f !== null).length }))
    .sort((a, b) => a.specificity - b.specificity);
  return matching.reduce<TrackingRules>((rules, { o }) => ({ ...rules, ...o.rules }), policy.tracking);
}

/** Why a policy is refused: the field and the rule, or null when it holds. */
export function policyProblem(policy: LogisticsPolicy): { readonly field: string; readonly rule: string } | null {
  const check = (rules: TrackingRules, at: string) => {
    if (!(rules.normalHours < rules.stalledHours)) return { field: `${at}/stalledHours`, rule: 'stalled after normal' };
    if (!(rules.stalledHours < rules.lostHours)) return { field: `${at}/lostHours`, rule: 'lost after stalled' };
    return null;
  };
  const base = check(policy.tracking, '/tracking');
  if (base) return base;
  for (const [index, override] of policy.overrides.entries()) {
    const problem = check({ ...policy.tracking, ...override.rules }, `/overrides/${index}/rules`);
    if (problem) return problem;
  }
  return null;
}

// ------------------------------------------------------------------------------------------- the policy's own stream

export type SetLogisticsPolicy = Command<'SetLogisticsPolicy', LogisticsPolicy>;
export type LogisticsPolicySet = DomainEvent<
  'LogisticsPolicySet',
  { readonly policy: LogisticsPolicy; readonly at: string; readonly by: string }
>;
export type LogisticsPolicyState =
  | { readonly status: 'default' }
  | { readonly status: 'set'; readonly policy: LogisticsPolicy; readonly at: string; readonly by: string };

export class LogisticsPolicyInvalid extends DomainError {
  constructor(field: string, rule: string) {
    super('LOGISTICS_POLICY.INVALID', 'invalid', `${field}: ${rule}`, `Tracking thresholds must grow: ${rule}`);
  }
}

/** A tenant's logistics policy, event-sourced: every change attributable to its actor, applied from then on. */
export const logisticsPolicyDecider = {
  decide: ({ data, context }: SetLogisticsPolicy, state: LogisticsPolicyState): LogisticsPolicySet[] => {
    const problem = policyProblem(data);
    if (problem) throw new LogisticsPolicyInvalid(problem.field, problem.rule);
    if (state.status === 'set' && JSON.stringify(state.policy) === JSON.stringify(data)) return [];
    return [
      { type: 'LogisticsPolicySet', data: { policy: data, at: context.now.toISOString(), by: context.actor.id } },
    ];
  },
  evolve: (_: LogisticsPolicyState, event: LogisticsPolicySet): LogisticsPolicyState => ({
    status: 'set',
    ...event.data,
  }),
  initialState: (): LogisticsPolicyState => ({ status: 'default' }),
} satisfies Decider<LogisticsPolicyState, SetLogisticsPolicy, LogisticsPolicySet>;
