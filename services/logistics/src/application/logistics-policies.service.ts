import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin, type Queryable } from '@aftersales/eventstore';
import {
  defaultLogisticsPolicy,
  logisticsPolicyDecider,
  type LogisticsPolicy,
  type LogisticsPolicySet,
  type LogisticsPolicyState,
} from '../domain/tracking-policy';

/** One stream per tenant (URI-encoded: tenant ids are free text). */
export const logisticsPolicyStream = (tenant: string) => `logistics-policy-${encodeURIComponent(tenant)}`;

/** A tenant's logistics policy as read: the policy in force and who set it when (`null` while on the defaults). */
export interface TenantLogisticsPolicy {
  readonly policy: LogisticsPolicy;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/**
 * Per-tenant logistics policy (tracking thresholds with overrides per carrier and lane, carriers, regional alarm,
 * large orders), event-sourced; read by every command that needs it, so a change applies at once in every instance.
 */
@Injectable()
export class LogisticsPoliciesService {
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  async forTenant(tenant: string, tx?: Queryable): Promise<LogisticsPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  async settings(tenant: string, tx?: Queryable): Promise<TenantLogisticsPolicy> {
    const stored = await this.commands.store.readStream(logisticsPolicyStream(tenant), 0, tx);
    const state = fold<LogisticsPolicyState, LogisticsPolicySet>(logisticsPolicyDecider, stored);
    return state.status === 'set'
      ? { policy: state.policy, updatedAt: state.at, updatedBy: state.by }
      : { policy: defaultLogisticsPolicy, updatedAt: null, updatedBy: null };
  }

  /** Replaces the tenant's policy (a no-op when it is already that); `LOGISTICS_POLICY.INVALID` when inconsistent. */
  async set(origin: CommandOrigin, policy: LogisticsPolicy): Promise<TenantLogisticsPolicy> {
    await this.commands.handle(logisticsPolicyDecider, logisticsPolicyStream(origin.tenant), origin, {
      type: 'SetLogisticsPolicy',
      data: policy,
    });
    return this.settings(origin.tenant);
  }
}
