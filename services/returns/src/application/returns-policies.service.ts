import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin, type Queryable } from '@aftersales/eventstore';
import {
  returnsPolicyDecider,
  returnsPolicyOf,
  type ReturnsPolicy,
  type ReturnsPolicySet,
  type ReturnsPolicyState,
} from '../domain/returns-policy';

/** One stream per tenant (URI-encoded: tenant ids are free text). */
export const returnsPolicyStream = (tenant: string) => `returns-policy-${encodeURIComponent(tenant)}`;

/** A tenant's returns policy as read: the policy in force and who set it when (`null` while on the defaults). */
export interface TenantReturnsPolicy {
  readonly policy: ReturnsPolicy;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

/**
 * Per-tenant returns policy (no-reason window, allowance share and the agent's limit, replacement deadline, what the
 * customer is told), event-sourced: every change a `ReturnsPolicySet` in the tenant's stream, attributable to its
 * actor. Read by every return command that needs it, so a change applies at once in every instance.
 */
@Injectable()
export class ReturnsPoliciesService {
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  async forTenant(tenant: string, tx?: Queryable): Promise<ReturnsPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  async settings(tenant: string, tx?: Queryable): Promise<TenantReturnsPolicy> {
    const stored = await this.commands.store.readStream(returnsPolicyStream(tenant), 0, tx);
    const state = fold<ReturnsPolicyState, ReturnsPolicySet>(returnsPolicyDecider, stored);
    return state.status === 'set'
      ? { policy: state.policy, updatedAt: state.at, updatedBy: state.by }
      : { policy: returnsPolicyOf(state), updatedAt: null, updatedBy: null };
  }

  /** Replaces the tenant's policy (a no-op when it is already that); `RETURNS_POLICY.INVALID` out of bounds. */
  async set(origin: CommandOrigin, policy: ReturnsPolicy): Promise<TenantReturnsPolicy> {
    await this.commands.handle(returnsPolicyDecider, returnsPolicyStream(origin.tenant), origin, {
      type: 'SetReturnsPolicy',
      data: policy,
    });
    return this.settings(origin.tenant);
  }
}
