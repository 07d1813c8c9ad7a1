import type { CommandContext } from '@aftersales/domain';

/**
 * Incident severity (domain §5): `L1` major, `L2` significant, `L3` ordinary. `L1` is the most severe.
 *
 * @example
 * ```ts
 * isMoreSevere('L1', 'L2'); // true
 * ```
 */
export type IncidentLevel = 'L1' | 'L2' | 'L3';

/** The levels from the least to the most severe. */
export const incidentLevels: readonly IncidentLevel[] = ['L3', 'L2', 'L1'];

/** One value per level, e.g. a contact deadline in minutes per level. */
export type LevelMap<T> = { readonly [L in IncidentLevel]: T };

const severity: LevelMap<number> = { L3: 1, L2: 2, L1: 3 };

/** Whether `a` is strictly more severe than `b` (`L1` beats `L2` beats `L3`). */
export function isMoreSevere(a: IncidentLevel, b: IncidentLevel): boolean {
  return severity[a] > severity[b];
}

/** The most severe of the given levels; `null` when none is given. */
export function mostSevere(levels: ReadonlyArray<IncidentLevel | null>): IncidentLevel | null {
  return levels.reduce<IncidentLevel | null>(
    (worst, level) => (level !== null && (worst === null || isMoreSevere(level, worst)) ? level : worst),
    null,
  );
}

/**
 * What went wrong (domain §5). Logistics alarms (stalled or lost shipments by region, weather, holidays) arrive as
 * `special-scenario`; an unannounced delay or a technician no-show is a `service-failure`.
 */
export type IncidentCategory = 'product-quality' | 'service-failure' | 'special-scenario';

/**
 * The aggravating facts a complaint may carry; each can force a level on its own (see `IncidentPolicy`). `groupEvent`
 * is a group event, many customers acting together over the same problem (seed 000 §3.5.3 「群體性事件」).
 * `brandRisk` is a major brand-reputation risk (seed 004 §3(二) level 1 「品牌聲譽面臨重大風險」); `regionalOutage` a
 * service outage across a region and `majorCustomerLoss` a larger customer loss, e.g. a delay that made a customer
 * miss an important event (seed 004 §3(二) level 2 「區域內服務中斷」「訂單延遲導致錯過重要活動」).
 */
export type ComplaintFlag =
  | 'injury'
  | 'propertyLoss'
  | 'mediaExposure'
  | 'legalThreat'
  | 'groupEvent'
  | 'brandRisk'
  | 'regionalOutage'
  | 'majorCustomerLoss';

/** Every flag of a complaint, present and `false` when absent. */
export type ComplaintFlags = { readonly [F in ComplaintFlag]: boolean };

/** Every flag down. */
export const noComplaintFlags: ComplaintFlags = {
  injury: false,
  propertyLoss: false,
  mediaExposure: false,
  legalThreat: false,
  groupEvent: false,
  brandRisk: false,
  regionalOutage: false,
  majorCustomerLoss: false,
};

/** The flags in a stable order, for iteration. */
export const complaintFlagNames: readonly ComplaintFlag[] = [
  'injury',
  'propertyLoss',
  'mediaExposure',
  'legalThreat',
  'groupEvent',
  'brandRisk',
  'regionalOutage',
  'majorCustomerLoss',
];

/** Flags incidents read later than the first four: events recorded before lack them (= `false`). */
type LaterFlag = 'groupEvent' | 'brandRisk' | 'regionalOutage' | 'majorCustomerLoss';

/**
 * The flags as events record them. Events recorded before incidents read `groupEvent` (or the brand-risk, regional
 * outage and customer-loss flags) lack them; they read as `false` (see {@link complaintFlagsOf}).
 */
export type RecordedComplaintFlags = Omit<ComplaintFlags, LaterFlag> & { readonly [F in LaterFlag]?: boolean };

/**
 * Every flag of recorded flags, an absent one as `false`.
 *
 * @example
 * ```ts
 * complaintFlagsOf({ injury: true, propertyLoss: false, mediaExposure: false, legalThreat: false });
 * // { injury: true, propertyLoss: false, mediaExposure: false, legalThreat: false, groupEvent: false, brandRisk: false, … }
 * ```
 */
export function complaintFlagsOf(recorded: RecordedComplaintFlags): ComplaintFlags {
  return {
    ...recorded,
    groupEvent: recorded.groupEvent ?? false,
    brandRisk: recorded.brandRisk ?? false,
    regionalOutage: recorded.regionalOutage ?? false,
    majorCustomerLoss: recorded.majorCustomerLoss ?? false,
  };
}

/** A role name from the platform's role catalogue (`cs-manager`, `cs-director`, `general-manager`, `pr`, …). */
export type Role = string;

/** A team paged for an incident: one lead role and the supporting roles. */
export interface ResponseTeam {
  readonly lead: Role;
  readonly members: readonly Role[];
}

/**
 * Who did something, as written into every incident event (the audit trail): the actor's id and the role under which
 * the action was allowed. For role-guarded commands this is the role that satisfied the guard.
 */
export interface ActorRef {
  readonly id: string;
  readonly role: Role;
}

/** The actor of a command, recorded with the first of its roles found in `preferred` (or its first role). */
export function actorOf(context: CommandContext, preferred: readonly Role[] = []): ActorRef {
  const { id, roles } = context.actor;
  const role = roles.find((r) => preferred.includes(r)) ?? roles[0] ?? 'none';
  return { id, role };
}

/** Whether the actor holds one of `allowed`. */
export function holdsAnyRole(context: CommandContext, allowed: readonly Role[]): boolean {
  return context.actor.roles.some((role) => allowed.includes(role));
}

const minuteMs = 60_000;

/** `date` plus `minutes`, as a new date. */
export function plusMinutes(date: Date, minutes: number): Date {
  return new Date(date.getTime() + minutes * minuteMs);
}

/** `date` plus `hours`, as a new date. */
export function plusHours(date: Date, hours: number): Date {
  return plusMinutes(date, hours * 60);
}
