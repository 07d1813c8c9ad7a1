import { Inject, Injectable } from '@nestjs/common';
import {
  Commands,
  fold,
  inTransaction,
  type CommandOrigin,
  type Queryable,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { monthOf } from '../domain/compensation-order.decider';
import {
  compensationPolicyDecider,
  compensationPolicyOf,
  type CompensationPolicy,
  type CompensationPolicySet,
  type CompensationPolicyState,
} from '../domain/compensation-policy';
import { BUDGET_BOOK, type BudgetBook } from './compensation.ports';

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
  constructor(
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(BUDGET_BOOK) private readonly budgets: BudgetBook,
  ) {}

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

  /**
   * Replaces the tenant's policy (a no-op when it is already that); `RETURNS_POLICY.INVALID` out of bounds. The month
   * budgets from this month on take its limit in the same transaction (never below what they reserved and spent).
   */
  async set(origin: CommandOrigin, policy: CompensationPolicy): Promise<TenantCompensationPolicy> {
    await inTransaction(this.database.pool, async (tx) => {
      const result = await this.commands.handle(
        compensationPolicyDecider,
        compensationPolicyStream(origin.tenant),
        origin,
        { type: 'SetCompensationPolicy', data: policy },
        { tx },
      );
      if (result.newEvents.length > 0)
        await this.budgets.setMonthLimits(tx, origin.tenant, monthOf(this.commands.now()), policy.monthlyBudgetMinor);
    });
    return this.settings(origin.tenant);
  }
}
