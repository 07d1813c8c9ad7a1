import { DomainError } from '@aftersales/domain';
import type { SolutionKind } from './incident.commands';
import {
  complaintFlagNames,
  incidentLevels,
  mostSevere,
  plusHours,
  plusMinutes,
  type ComplaintFlag,
  type ComplaintFlags,
  type IncidentCategory,
  type IncidentLevel,
  type LevelMap,
  type ResponseTeam,
  type Role,
} from './incident.values';

/** How complaints are aggregated into clusters and graded (domain §5, "Detection sources" and "Levels"). */
export interface ClusteringPolicy {
  /**
   * `null` (default): the thresholds count every complaint of the cluster's open episode, over its whole life (seed 004
   * §3(二) grades reach, not a rate: 100 customers over three days are as major as 100 in one). A number: only
   * complaints received at most this many hours before `now` count (a sliding window, bounds inclusive), a tenant's
   * policy choice.
   */
  readonly windowHours: number | null;
  /**
   * What the thresholds count. `'customer'` (default) counts distinct customers in the window, because levels grade
   * reach ("≥ 100 customers complaining"); `'complaint'` counts distinct complaints.
   */
  readonly countBy: 'customer' | 'complaint';
  /** The smallest count that reaches each level: `{ L3: 1, L2: 10, L1: 100 }` means 1–9 → L3, 10–99 → L2, ≥100 → L1. */
  readonly levelThresholds: LevelMap<number>;
  /** The level a flag forces at once, whatever the count; `null` when the flag forces nothing. */
  readonly flagLevels: { readonly [F in ComplaintFlag]: IncidentLevel | null };
  /**
   * Geographic spread (seed 004 §3(二) grades by 「影響範圍(客戶數量、地域覆蓋)」, customer count and regions covered):
   * the smallest number of distinct regions the counted complaints come from that reaches each level; `null`: spread
   * alone never reaches it. Counts with the customer count: the more severe of the two grades the cluster.
   */
  readonly regionThresholds: LevelMap<number | null>;
}

/**
 * Every number and role the incident rules use, configured per tenant. Rules read the policy; they never hold
 * constants of their own. Start from {@link defaultIncidentPolicy} and change what a tenant changes with
 * {@link resolvePolicy}.
 *
 * @example
 * ```ts
 * const policy = resolvePolicy({ contactDeadlineMinutes: { L1: 15 } });
 * policy.contactDeadlineMinutes; // { L1: 15, L2: 60, L3: 120 }
 * ```
 */
export interface IncidentPolicy {
  readonly clustering: ClusteringPolicy;
  /**
   * Affected customers must be contacted this many minutes after activation, or after an upgrade (domain §5,
   * Containment).
   */
  readonly contactDeadlineMinutes: LevelMap<number>;
  /**
   * The share (percent, 1–100) of the affected customers that must be contacted by the deadline; contact is per
   * customer (seed 004 §4(二)1: each affected customer is contacted within the level's time), so contacting one does
   * not stop the clock for the others. 100: all of them.
   */
  readonly contactSharePercent: LevelMap<number>;
  /**
   * The share (percent, 1–100) of the affected customers whose confirmation resolution needs (seed 004 §4(三)4: each
   * customer confirms the resolution), unless the level's lead records an override with a reason. At least one.
   */
  readonly confirmationSharePercent: LevelMap<number>;
  /**
   * Who may grade an incident level 1, by declaring or raising it (seed 004 §4(一)2: 「由應急領導小組(一級事件)…判定等級」):
   * emergency leadership. Other roles asking for level 1 make a proposal, which is paged to the level-1 team.
   * `system` is the cluster watch applying the grading standard's thresholds and flags; a tenant that wants every
   * level 1 confirmed by leadership removes it, and a crossing to level 1 is then a proposal too.
   */
  readonly levelOneAuthority: readonly Role[];
  /** Satisfaction (percent) an incident must reach; below it a follow-up is required (domain §6). */
  readonly satisfactionTargetPercent: LevelMap<number>;
  /** The retrospective is due this many hours after resolution (domain §5, Follow-up). */
  readonly retrospectiveDueHours: LevelMap<number>;
  /** The level's team is reminded of a retrospective not yet recorded this many hours before it is due. */
  readonly retrospectiveReminderHoursBefore: LevelMap<number>;
  /** The team paged when an incident is activated at, or upgraded to, a level. */
  readonly responseTeams: LevelMap<ResponseTeam>;
  /**
   * Who is paged when a contact deadline is breached: the rung above the current level's lead, lowest rung first.
   * A lead at (or absent from) the top is answered by paging the top rung again.
   */
  readonly escalationLadder: readonly Role[];
  /** Roles that may approve a solution, by the incident's level (L1: emergency leadership; L2/L3: department head). */
  readonly solutionApprovers: LevelMap<readonly Role[]>;
  /** Roles that may approve a recall, whatever the level: recalls are an emergency-leadership decision. */
  readonly recallApprovers: readonly Role[];
  /** Roles that may downgrade an incident, by the level it leaves (`L3` cannot be left downwards). */
  readonly downgradeApprovers: LevelMap<readonly Role[]>;
  /** Who records the checks closing needs (seed 004 §4(三)2–3, §5): the quality check, recall compliance, PR statement. */
  readonly closureCheckers: {
    readonly quality: readonly Role[];
    readonly recallCompliance: readonly Role[];
    readonly prStatement: readonly Role[];
  };
  /** The responsible group that records root and direct cause, by category (domain §5, Resolution). */
  readonly rootCauseGroups: { readonly [C in IncidentCategory]: readonly Role[] };
  /**
   * The recurrence window in days (seed 004 §7(二) 「復發率:同一問題的復發次數」): an incident resolved at `t` recurred
   * when another incident of the tenant with the same category (for the category's rate) or the same product (for the
   * product's rate) was opened after `t` and at most this many days later. The KPIs route measures with the current
   * value, and says which.
   */
  readonly recurrenceWindowDays: number;
}

const emergencyLeadership: readonly Role[] = ['incident-commander', 'general-manager'];

/** The defaults of `domain.md` §5 and §6; a tenant overrides any of them with {@link resolvePolicy}. */
export const defaultIncidentPolicy: IncidentPolicy = {
  clustering: {
    windowHours: null,
    countBy: 'customer',
    levelThresholds: { L3: 1, L2: 10, L1: 100 },
    // A legal dispute or threat goes straight to senior management (seed 000 §3.5.3 「可能引發法律糾紛的特殊售後問題,
    // 應立即上報平臺高級管理層,並啟動應急預案」): level 1, whose team (general manager) includes legal.
    // A group event is L1: seed 000 §3.5.3 sends 「群體性事件」 straight to senior management and starts the emergency
    // plan, like injury, property loss and media exposure; seed 004 §3(二) grades wide impact (「100名以上客戶投訴、
    // 媒體/社交媒體曝光」) with injury and property loss as level 1 (一級, 重大).
    // Major brand-reputation risk is level 1; a regional service outage and a larger customer loss are level 2
    // (seed 004 §3(二): 「品牌聲譽面臨重大風險」 一級; 「區域內服務中斷」「訂單延遲導致錯過重要活動」 二級).
    flagLevels: {
      injury: 'L1',
      propertyLoss: 'L1',
      mediaExposure: 'L1',
      legalThreat: 'L1',
      groupEvent: 'L1',
      brandRisk: 'L1',
      regionalOutage: 'L2',
      majorCustomerLoss: 'L2',
    },
    // The seeds give no region counts: complaints from 3 regions are more than one regional problem (level 2), from
    // 10 a national one (level 1). Tenants set their own.
    regionThresholds: { L3: null, L2: 3, L1: 10 },
  },
  contactDeadlineMinutes: { L1: 30, L2: 60, L3: 120 },
  contactSharePercent: { L1: 100, L2: 100, L3: 100 },
  confirmationSharePercent: { L1: 100, L2: 100, L3: 100 },
  levelOneAuthority: ['incident-commander', 'cs-director', 'general-manager', 'system'],
  satisfactionTargetPercent: { L1: 90, L2: 85, L3: 80 },
  retrospectiveDueHours: { L1: 24, L2: 48, L3: 72 },
  // The seeds give no reminder time: a quarter of the period (6 / 12 / 18 h before the 24 / 48 / 72 h deadline).
  retrospectiveReminderHoursBefore: { L1: 6, L2: 12, L3: 18 },
  responseTeams: {
    L1: { lead: 'general-manager', members: ['pr', 'legal'] },
    L2: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
    L3: { lead: 'cs-manager', members: ['tech-support'] },
  },
  escalationLadder: ['cs-manager', 'cs-director', 'general-manager'],
  solutionApprovers: { L1: emergencyLeadership, L2: ['cs-director'], L3: ['cs-manager', 'cs-director'] },
  recallApprovers: emergencyLeadership,
  downgradeApprovers: { L1: emergencyLeadership, L2: ['cs-director', ...emergencyLeadership], L3: [] },
  closureCheckers: { quality: ['quality'], recallCompliance: ['quality', 'legal'], prStatement: ['pr'] },
  rootCauseGroups: {
    'product-quality': ['tech-support'],
    'service-failure': ['quality'],
    'special-scenario': ['logistics'],
  },
  // The seeds give no window: a problem back within 30 days of its fix is the same problem recurring.
  recurrenceWindowDays: 30,
};

/**
 * A tenant's changes to the defaults: any subset, at any depth. Lists (roles, members, the ladder) are replaced
 * whole, not merged.
 */
export type IncidentPolicyOverrides = Overrides<IncidentPolicy>;

type Overrides<T> = {
  readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Overrides<T[K]> : T[K];
};

/** A tenant policy that would make the rules meaningless (e.g. thresholds out of order, nobody to approve). */
export class InvalidIncidentPolicy extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'INCIDENT_POLICY.INVALID',
      'invalid',
      `Invalid incident policy: ${problems.join('; ')}`,
      'An incident policy needs positive durations, increasing thresholds, targets within 0–100 and a role for every duty',
    );
  }
}

/**
 * The defaults (or `base`) with a tenant's overrides applied, validated.
 *
 * @throws {@link InvalidIncidentPolicy} when the result is inconsistent.
 * @example
 * ```ts
 * resolvePolicy({ clustering: { windowHours: 48, flagLevels: { legalThreat: 'L1' } } });
 * ```
 */
export function resolvePolicy(
  overrides: IncidentPolicyOverrides = {},
  base: IncidentPolicy = defaultIncidentPolicy,
): IncidentPolicy {
  const policy = merge(base, overrides) as IncidentPolicy;
  const problems = validate(policy);
  if (problems.length > 0) throw new InvalidIncidentPolicy(problems);
  return policy;
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = merge(base[key], value);
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validate(policy: IncidentPolicy): string[] {
  const problems: string[] = [...validateClustering(policy.clustering)];
  for (const level of incidentLevels) problems.push(...validateLevel(policy, level));
  if (policy.escalationLadder.length === 0) problems.push('escalationLadder needs at least one role');
  if (policy.recallApprovers.length === 0) problems.push('recallApprovers needs a role');
  if (policy.levelOneAuthority.length === 0) problems.push('levelOneAuthority needs a role');
  if (!(Number.isInteger(policy.recurrenceWindowDays) && policy.recurrenceWindowDays >= 1)) {
    problems.push(`recurrenceWindowDays must be a positive whole number of days (got ${policy.recurrenceWindowDays})`);
  }
  for (const [check, roles] of Object.entries(policy.closureCheckers)) {
    if (roles.length === 0) problems.push(`closureCheckers.${check} needs a role`);
  }
  for (const [category, roles] of Object.entries(policy.rootCauseGroups)) {
    if (roles.length === 0) problems.push(`rootCauseGroups.${category} needs a role`);
  }
  return problems;
}

function positiveProblem(name: string, value: number): string[] {
  return Number.isFinite(value) && value > 0 ? [] : [`${name} must be a positive number (got ${value})`];
}

function validateClustering(clustering: ClusteringPolicy): string[] {
  const problems: string[] = [];
  const { levelThresholds: t, regionThresholds: r, windowHours } = clustering;
  if (windowHours !== null) problems.push(...positiveProblem('clustering.windowHours', windowHours));
  if (![t.L3, t.L2, t.L1].every(Number.isInteger) || !(t.L3 >= 1 && t.L3 < t.L2 && t.L2 < t.L1)) {
    problems.push(`clustering.levelThresholds must be integers with 1 ≤ L3 < L2 < L1 (got ${t.L3}/${t.L2}/${t.L1})`);
  }
  for (const level of incidentLevels) {
    const regions = r[level];
    if (regions !== null && !(Number.isInteger(regions) && regions >= 1)) {
      problems.push(`clustering.regionThresholds.${level} must be a positive integer or null (got ${regions})`);
    }
  }
  if (r.L2 !== null && r.L1 !== null && !(r.L2 < r.L1)) {
    problems.push(`clustering.regionThresholds must increase with severity (got L2 ${r.L2}, L1 ${r.L1})`);
  }
  return problems;
}

function validateLevel(policy: IncidentPolicy, level: IncidentLevel): string[] {
  const problems = [
    ...positiveProblem(`contactDeadlineMinutes.${level}`, policy.contactDeadlineMinutes[level]),
    ...positiveProblem(`retrospectiveDueHours.${level}`, policy.retrospectiveDueHours[level]),
    ...positiveProblem(`retrospectiveReminderHoursBefore.${level}`, policy.retrospectiveReminderHoursBefore[level]),
  ];
  if (policy.retrospectiveReminderHoursBefore[level] >= policy.retrospectiveDueHours[level]) {
    problems.push(`retrospectiveReminderHoursBefore.${level} must be less than retrospectiveDueHours.${level}`);
  }
  for (const share of ['contactSharePercent', 'confirmationSharePercent'] as const) {
    const percent = policy[share][level];
    if (!(percent > 0 && percent <= 100)) problems.push(`${share}.${level} must be within 1–100 (got ${percent})`);
  }
  const target = policy.satisfactionTargetPercent[level];
  if (!(target >= 0 && target <= 100)) problems.push(`satisfactionTargetPercent.${level} must be within 0–100`);
  if (!policy.responseTeams[level].lead) problems.push(`responseTeams.${level} needs a lead`);
  if (policy.solutionApprovers[level].length === 0) problems.push(`solutionApprovers.${level} needs a role`);
  return problems;
}

/** The level a count of complaining customers (or complaints) reaches; `null` below the L3 threshold. */
export function levelForCount(count: number, policy: IncidentPolicy): IncidentLevel | null {
  const thresholds = policy.clustering.levelThresholds;
  return [...incidentLevels].reverse().find((level) => count >= thresholds[level]) ?? null;
}

/** The level a number of distinct regions reaches by spread alone; `null` when it reaches none. */
export function levelForSpread(regions: number, policy: IncidentPolicy): IncidentLevel | null {
  const thresholds = policy.clustering.regionThresholds;
  return (
    [...incidentLevels].reverse().find((level) => thresholds[level] !== null && regions >= (thresholds[level] ?? 0)) ??
    null
  );
}

/**
 * How many of `affected` customers a share (percent) requires: rounded up, at least one (an incident without known
 * customers still needs one, e.g. a declared one).
 */
export function customersRequired(affected: number, sharePercent: number): number {
  return Math.max(1, Math.ceil((affected * sharePercent) / 100 - 1e-9));
}

/** The most severe level the flags force; `null` when no raised flag forces one. */
export function levelForFlags(flags: ComplaintFlags, policy: IncidentPolicy): IncidentLevel | null {
  return mostSevere(complaintFlagNames.filter((flag) => flags[flag]).map((flag) => policy.clustering.flagLevels[flag]));
}

/** When affected customers must have been contacted, for an incident activated (or upgraded) at `from`. */
export function contactDueAt(level: IncidentLevel, from: Date, policy: IncidentPolicy): Date {
  return plusMinutes(from, policy.contactDeadlineMinutes[level]);
}

/** When the retrospective of an incident resolved at `resolvedAt` is due. */
export function retrospectiveDueAt(level: IncidentLevel, resolvedAt: Date, policy: IncidentPolicy): Date {
  return plusHours(resolvedAt, policy.retrospectiveDueHours[level]);
}

/** The rung of the escalation ladder above `lead` (the top rung when `lead` is at the top or not on the ladder). */
export function escalationTargetAbove(lead: Role, policy: IncidentPolicy): Role {
  const ladder = policy.escalationLadder;
  const rung = ladder.indexOf(lead);
  const top = ladder[ladder.length - 1] as Role;
  return rung === -1 ? top : (ladder[rung + 1] ?? top);
}

/** Roles allowed to approve `solutionKind` for an incident at `level`. */
export function approversOf(level: IncidentLevel, solutionKind: SolutionKind, policy: IncidentPolicy): readonly Role[] {
  return solutionKind === 'recall' ? policy.recallApprovers : policy.solutionApprovers[level];
}
