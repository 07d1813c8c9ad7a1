import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin, type Queryable } from '@aftersales/eventstore';
import {
  compensationPolicyDecider,
  compensationPolicyOf,
  type CompensationPolicy,
  type CompensationPolicySet,
  type CompensationPolicyState,
} from '../domain/compensation-policy';

/** One stream per tenant (URI-encoded: tenant ids are free text). */
export const compensationPolicyStream = (tenant: string) => `compensation-policy-${encodeURIComponent(tenant)}`;

/** A tenant's compensation policy as read: the policy in force and who set it when (`null` while on the defaults). */
export interface TenantCompensationPolicy {
  readonly policy: CompensationPolicy;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/**
 * Per-tenant compensation policy (no-reason window, allowance share and the agent's limit, replacement deadline, what the
 * customer is told), event-sourced: every change a `CompensationPolicySet` in the tenant's stream, attributable to its
 * actor. Read by every return command that needs it, so a change applies at once in every instance.
 */
@Injectable()
export class CompensationPoliciesService {
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  async forTenant(tenant: string, tx?: Queryable): Promise<CompensationPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  async settings(tenant: string, tx?: Queryable): Promise<TenantCompensationPolicy> {
    const stored = await this.commands.store.readStream(compensationPolicyStream(tenant), 0, tx);
    const state = fold<CompensationPolicyState, CompensationPolicySet>(compensationPolicyDecider, stored);
    return state.status === 'set'
      ? { policy: state.policy, updatedAt: state.at, updatedBy: state.by }
      : { policy: compensationPolicyOf(state), updatedAt: null, updatedBy: null };
  }

  /** Replaces the tenant's policy (a no-op when it is already that); `RETURNS_POLICY.INVALID` out of bounds. */
  async set(origin: CommandOrigin, policy: CompensationPolicy): Promise<TenantCompensationPolicy> {
    await this.commands.handle(compensationPolicyDecider, compensationPolicyStream(origin.tenant), origin, {
      type: 'SetCompensationPolicy',
      data: policy,
    });
    return this.settings(origin.tenant);
  }
}
